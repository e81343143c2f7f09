package com.rafaribe.homelab.hub.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what Vert.x's blocked-thread checker says; a test asserts it said nothing. */
public final class BlockedThreadWatch {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public BlockedThreadWatch() {
        appender.start();
        ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker")).addAppender(appender);
    }

    public List<String> warnings() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
