package com.rafaribe.homelab.hub.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.slf4j.Marker;

/**
 * The hub's logging, set up in code rather than from a logback.xml: logback's XML configurator
 * loads about 600 classes (its model, an XML parser) and took about half of logging's start-up on
 * a cold JVM (1.0 against 1.9 s on a loaded 2-CPU machine). Found by logback through
 * {@code META-INF/services}, before any configuration file.
 *
 * <p>Lines go to standard error, so command output (check-log) stays clean on standard output; the
 * format is text unless the {@code hub.log.format} property says {@code json} ("run --log-format json"
 * sets it); the root level comes from {@code HUB_LOG_LEVEL} (INFO). Both encoders sit inside
 * {@link RedactingEncoder}: every line is redacted here, once, whoever logged it. A configuration
 * file of one's own ({@code -Dlogback.configurationFile}) still wins: then this does nothing.
 */
public final class HubLogConfiguration extends ContextAwareBase implements Configurator {
    /** Levels that keep other libraries' noise out, each for a reason of the hub's. */
    static final Map<String, Level> QUIETED = Map.of(
            // The hub logs watch errors itself, in one line; fabric8 would add a stack trace to each.
            "io.fabric8.kubernetes.client.informers", Level.ERROR,
            "io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager", Level.ERROR,
            // A Lease that cannot be taken is told once per cause by the cluster (ClusterLease); fabric8 would warn, with a
            // stack trace, every 2 s.
            "io.fabric8.kubernetes.client.extended.leaderelection", Level.ERROR);

    /**
     * The thread of the start-up warm-up (cluster.StartUpWarmUp), which runs the hub's code on made-up objects: what it
     * logs below a warning is about a cluster that does not exist, and is dropped.
     */
    public static final String WARM_UP_THREAD = "hub-start-up-warm-up";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        RedactingEncoder redacting = new RedactingEncoder();
        redacting.setContext(context);
        redacting.setEncoder("json".equals(System.getProperty("hub.log.format")) ? json(context) : text(context));
        redacting.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder(redacting);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("HUB_LOG_LEVEL", System.getenv("HUB_LOG_LEVEL")), Level.INFO));
        root.addAppender(console);
        QUIETED.forEach((name, level) -> context.getLogger(name).setLevel(level));
        WarmUpThreadFilter warmUp = new WarmUpThreadFilter();
        warmUp.setContext(context);
        warmUp.start();
        context.addTurboFilter(warmUp);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
        return encoder;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.setWithMDC(false);
        return encoder;
    }

    /** Drops what the warm-up thread logs below a warning, before any line is made of it. */
    static final class WarmUpThreadFilter extends TurboFilter {
        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
            return level.isGreaterOrEqual(Level.WARN) || !WARM_UP_THREAD.equals(Thread.currentThread().getName())
                    ? FilterReply.NEUTRAL : FilterReply.DENY;
        }
    }
}
