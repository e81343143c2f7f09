package com.rafaribe.homelab.hub.backups;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The schedules VolSync's CRD admits, as robfig/cron reads them; anything else is unreadable, never an error. */
class BackupScheduleTest {
    static final Instant FRIDAY = Instant.parse("2026-01-02T10:03:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            0 2 * * *    | 2026-01-03T02:00:00Z | 2026-01-04T02:00:00Z
            */15 * * * * | 2026-01-02T10:15:00Z | 2026-01-02T10:30:00Z
            0 2 * * 1-5  | 2026-01-05T02:00:00Z | 2026-01-06T02:00:00Z
            0 0 * * 7    | 2026-01-04T00:00:00Z | 2026-01-11T00:00:00Z
            0 0 * * 0    | 2026-01-04T00:00:00Z | 2026-01-11T00:00:00Z
            @hourly      | 2026-01-02T11:00:00Z | 2026-01-02T12:00:00Z
            @daily       | 2026-01-03T00:00:00Z | 2026-01-04T00:00:00Z
            @weekly      | 2026-01-04T00:00:00Z | 2026-01-11T00:00:00Z
            @monthly     | 2026-02-01T00:00:00Z | 2026-03-01T00:00:00Z
            @yearly      | 2027-01-01T00:00:00Z | 2028-01-01T00:00:00Z
            @annually    | 2027-01-01T00:00:00Z | 2028-01-01T00:00:00Z
            """)
    void readAsVolSyncReadsIt(String cron, Instant first, Instant second) {
        BackupSchedule schedule = BackupSchedule.parse(cron).orElseThrow();
        assertThat(schedule.next(FRIDAY)).contains(first);
        assertThat(schedule.secondAfter(FRIDAY)).contains(second);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "every night", "61 * * * *", "0 2 * *", "@every 1h", "0 2 * * * *"})
    void unreadable(String cron) {
        assertThat(BackupSchedule.parse(cron)).isEmpty();
    }
}
