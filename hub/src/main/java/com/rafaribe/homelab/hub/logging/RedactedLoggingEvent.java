package com.rafaribe.homelab.hub.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import com.rafaribe.homelab.hub.policy.Redactor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/** A logging event as an encoder sees it, with every free text redacted; the rest is the original's. */
final class RedactedLoggingEvent implements ILoggingEvent {
    private final ILoggingEvent event;
    private String formatted;

    RedactedLoggingEvent(ILoggingEvent event) {
        this.event = event;
    }

    @Override
    public String getFormattedMessage() {
        if (formatted == null) {
            formatted = Redactor.redact(event.getFormattedMessage());
        }
        return formatted;
    }

    @Override
    public String getMessage() {
        return Redactor.redact(event.getMessage());
    }

    @Override
    public Object[] getArgumentArray() {
        Object[] arguments = event.getArgumentArray();
        if (arguments == null) {
            return null;
        }
        Object[] redacted = new Object[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            redacted[i] = arguments[i] == null ? null : Redactor.redact(String.valueOf(arguments[i]));
        }
        return redacted;
    }

    @Override
    public IThrowableProxy getThrowableProxy() {
        return RedactedThrowable.of(event.getThrowableProxy());
    }

    @Override
    public Map<String, String> getMDCPropertyMap() {
        return redacted(event.getMDCPropertyMap());
    }

    @Override
    public Map<String, String> getMdc() {
        return redacted(event.getMdc());
    }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        return pairs == null ? null : pairs.stream()
                .map(p -> new KeyValuePair(p.key, p.value == null ? null : Redactor.redact(String.valueOf(p.value)))).toList();
    }

    private static Map<String, String> redacted(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return map;
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, Redactor.redact(v)));
        return copy;
    }

    @Override
    public String getThreadName() {
        return event.getThreadName();
    }

    @Override
    public Level getLevel() {
        return event.getLevel();
    }

    @Override
    public String getLoggerName() {
        return event.getLoggerName();
    }

    @Override
    public LoggerContextVO getLoggerContextVO() {
        return event.getLoggerContextVO();
    }

    @Override
    public StackTraceElement[] getCallerData() {
        return event.getCallerData();
    }

    @Override
    public boolean hasCallerData() {
        return event.hasCallerData();
    }

    @Override
    public List<Marker> getMarkerList() {
        return event.getMarkerList();
    }

    @Override
    public long getTimeStamp() {
        return event.getTimeStamp();
    }

    @Override
    public int getNanoseconds() {
        return event.getNanoseconds();
    }

    @Override
    public long getSequenceNumber() {
        return event.getSequenceNumber();
    }

    @Override
    public void prepareForDeferredProcessing() {
        event.prepareForDeferredProcessing();
    }

    /** An exception's messages redacted, its cause and suppressed ones too; class names and frames as they are. */
    private record RedactedThrowable(IThrowableProxy proxy) implements IThrowableProxy {
        static IThrowableProxy of(IThrowableProxy proxy) {
            return proxy == null || proxy instanceof RedactedThrowable ? proxy : new RedactedThrowable(proxy);
        }

        @Override
        public String getMessage() {
            return Redactor.redact(proxy.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return Redactor.redact(proxy.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return of(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] redacted = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                redacted[i] = of(suppressed[i]);
            }
            return redacted;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
