package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.MAX_PATTERNS;
import static com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.MAX_PATTERN_LENGTH;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A monitor's {@code lockErrorPatterns}, compiled with RE2/J: matching runs in time linear in
 * the line, whatever the pattern, so a monitor cannot make the hub spin on a hostile log.
 * Backreferences and lookaround, which need backtracking, do not compile.
 */
public final class LockPatterns {
    public static final LockPatterns NONE = new LockPatterns(List.of(), List.of());

    private final List<String> sources;
    private final List<Pattern> compiled;

    private LockPatterns(List<String> sources, List<Pattern> compiled) {
        this.sources = sources;
        this.compiled = compiled;
    }

    /** Compiles every pattern; throws with one message per pattern that does not compile. */
    public static LockPatterns compile(List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            return NONE;
        }
        List<String> problems = new ArrayList<>();
        if (patterns.size() > MAX_PATTERNS) {
            problems.add("lockErrorPatterns has " + patterns.size() + " entries; at most " + MAX_PATTERNS + " are allowed");
        }
        List<Pattern> compiled = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            String source = patterns.get(i);
            String where = "lockErrorPatterns[" + i + "] " + quote(source);
            if (source == null || source.isBlank()) {
                problems.add(where + " is empty");
            } else if (source.length() > MAX_PATTERN_LENGTH) {
                problems.add(where + " is longer than " + MAX_PATTERN_LENGTH + " characters");
            } else {
                try {
                    compiled.add(Pattern.compile(source, Pattern.CASE_INSENSITIVE));
                } catch (PatternSyntaxException e) {
                    problems.add(where + " is not a valid RE2 expression (backreferences and lookaround are not supported): "
                            + e.getDescription());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidPatternsException(problems);
        }
        return new LockPatterns(List.copyOf(patterns), List.copyOf(compiled));
    }

    /** The source of the first pattern found in the line. */
    public Optional<String> firstMatch(String line) {
        for (int i = 0; i < compiled.size(); i++) {
            if (compiled.get(i).matcher(line).find()) {
                return Optional.of(sources.get(i));
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return compiled.isEmpty();
    }

    public List<String> sources() {
        return sources;
    }

    /** For messages to humans: the text as written, in double quotes. */
    public static String quote(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }

    /** Thrown with every problem found, each naming the pattern. */
    public static final class InvalidPatternsException extends IllegalArgumentException {
        private final List<String> problems;

        public InvalidPatternsException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
