package com.rafaribe.homelab.hub.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Go's {@code time.Duration} text ("4m2.771034118s", "1h30m", "500ms"): restic prints lock
 * ages this way and the original controller's {@code scanInterval} is a metav1.Duration.
 */
public final class GoDuration {
    private static final java.util.regex.Pattern WHOLE =
            java.util.regex.Pattern.compile("[-+]?(?:[0-9]*(?:\\.[0-9]*)?(?:ns|us|µs|μs|ms|s|m|h))+|[-+]?0");
    private static final java.util.regex.Pattern PART =
            java.util.regex.Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    /** The duration, or empty when the text is not a Go duration (or does not fit in a Duration). */
    public static Optional<Duration> parse(String text) {
        if (text == null || text.length() > 64 || !WHOLE.matcher(text).matches()) {
            return Optional.empty();
        }
        boolean negative = text.startsWith("-");
        Matcher part = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        while (part.find()) {
            String number = part.group(1);
            if (number.isEmpty() || number.equals(".")) {
                return Optional.empty();
            }
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(part.group(2)))));
        }
        try {
            long whole = nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            return Optional.of(Duration.ofNanos(negative ? -whole : whole));
        } catch (ArithmeticException tooLarge) {
            return Optional.empty();
        }
    }
}
