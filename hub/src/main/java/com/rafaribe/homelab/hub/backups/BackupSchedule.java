package com.rafaribe.homelab.hub.backups;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A ReplicationSource's {@code spec.trigger.schedule}, read by cron-utils as VolSync reads it
 * (robfig/cron's standard parser): five fields, minute to day of week (0 or 7 is Sunday; day of
 * month and day of week restricted together match either), or one of the macros VolSync's CRD
 * admits ({@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly}, {@code @yearly},
 * {@code @annually}; {@code @midnight} too). VolSync's controller runs in UTC, and so do these times.
 */
public final class BackupSchedule {
    /** When the schedule cannot be read (or there is none): a backup is Late after this long without a success. */
    public static final Duration UNREADABLE_LATE_AFTER = Duration.ofHours(26);
    /** A schedule is five short fields: a longer text is not one, and is not handed to the parser. */
    private static final int MAX_TEXT = 128;

    static final CronDefinition DEFINITION = CronDefinitionBuilder.defineCron()
            .withMinutes().withValidRange(0, 59).withStrictRange().and()
            .withHours().withValidRange(0, 23).withStrictRange().and()
            .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
            .withMonth().withValidRange(1, 12).withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
            .withSupportedNicknameYearly().withSupportedNicknameAnnually().withSupportedNicknameMonthly()
            .withSupportedNicknameWeekly().withSupportedNicknameDaily().withSupportedNicknameMidnight().withSupportedNicknameHourly()
            .instance();
    private static final CronParser PARSER = new CronParser(DEFINITION);

    private final ExecutionTime times;

    private BackupSchedule(ExecutionTime times) {
        this.times = times;
    }

    /** The schedule, or empty when cron-utils cannot read it (VolSync's CRD would normally have refused it). */
    public static Optional<BackupSchedule> parse(String cron) {
        if (cron == null || cron.isBlank() || cron.length() > MAX_TEXT) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BackupSchedule(ExecutionTime.forCron(PARSER.parse(cron.strip()))));
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** The first scheduled time strictly after {@code after}, if the schedule ever fires again. */
    public Optional<Instant> next(Instant after) {
        return times.nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
    }

    /** The second scheduled time after {@code after}: by then a whole scheduled run has passed without a success. */
    public Optional<Instant> secondAfter(Instant after) {
        return next(after).flatMap(this::next);
    }
}
