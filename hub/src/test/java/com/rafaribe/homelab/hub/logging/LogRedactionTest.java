package com.rafaribe.homelab.hub.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.rafaribe.homelab.hub.testing.SecretShapes;
import com.rafaribe.homelab.hub.testing.SecretShapes.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;

/** The hub's own logging configuration, in both formats, in a logger context of the test's: no secret reaches standard error. */
class LogRedactionTest {
    @ParameterizedTest
    @ValueSource(strings = {"text", "json"})
    void everyLineIsRedactedWhoeverLoggedIt(String format) throws Exception {
        String log = captured(format, logger -> {
            for (Shape s : SecretShapes.ALL) {
                logger.warn("cluster {}: command failed: {}", "home", s.text());
            }
            logger.error("watch failed", new IllegalStateException("GET https://hub:s3cr3tLogPw@api.lan:6443/api failed",
                    new RuntimeException("token: causeTok3nLog")));
            logger.info("plain " + SecretShapes.ALL.get(0).text());
        });
        assertThat(log).contains("cluster home: command failed").contains("watch failed").contains("IllegalStateException")
                .contains("@api.lan:6443").contains(Redactor_MASK);
        for (Shape s : SecretShapes.ALL) {
            for (String secret : s.secrets()) {
                assertThat(log).as(format + " log, " + s.name()).doesNotContain(secret);
            }
        }
        assertThat(log).doesNotContain("s3cr3tLogPw").doesNotContain("causeTok3nLog");
    }

    private static final String Redactor_MASK = com.rafaribe.homelab.hub.policy.Redactor.MASK;

    interface Logging {
        void to(Logger logger);
    }

    /** Standard error while a fresh context configured as the hub configures it logs; the console appender writes to whatever System.err is. */
    static String captured(String format, Logging logging) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String previousFormat = System.getProperty("hub.log.format");
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            System.setProperty("hub.log.format", format);
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            new ContextInitializer(context).autoConfig();
            logging.to(context.getLogger("com.rafaribe.homelab.hub.test"));
        } finally {
            context.stop();
            System.setErr(original);
            if (previousFormat == null) {
                System.clearProperty("hub.log.format");
            } else {
                System.setProperty("hub.log.format", previousFormat);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
