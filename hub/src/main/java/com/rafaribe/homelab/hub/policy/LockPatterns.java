package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.MAX_PATTERNS;
import static com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.MAX_PATTERN_LENGTH;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A monitor's {@code lockErrorPatterns}, compiled with RE2/J: matching runs in time linear in
 * the line, whatever the pattern, so a monitor cannot make the hub spin on a hostile log.
 * Backreferences and lookaround, which need backtracking, do not compile. Linear is not cheap:
 * the time per character grows with the pattern's {@link PatternCost}, which is bounded per
 * pattern and for all of a monitor's patterns together.
 */
public final class LockPatterns {
    public static final LockPatterns NONE = new LockPatterns(List.of(), List.of());
    /**
     * The most {@link PatternCost} one pattern may have: a pattern at this limit adds about 25 ms
     * of CPU to examining a 64 KiB log on the project's (loaded) 2-core machine, where
     * {@code .{0,100}} alone costs 200. The seed monitor's costliest pattern costs 22.
     */
    public static final int MAX_PATTERN_COST = 48;
    /**
     * The most all of a monitor's patterns may cost together: at this limit they add about 50 ms
     * to the built-in rules' 40 ms per 64 KiB log (eight (.{0,100}){10} patterns added seconds).
     * The seed monitor's seven patterns cost 75.
     */
    public static final int MAX_TOTAL_PATTERN_COST = 96;
    /** How many of the costliest patterns a refusal of the total names. */
    private static final int COSTLIEST_NAMED = 3;

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
        int[] costs = new int[patterns.size()];
        for (int i = 0; i < patterns.size(); i++) {
            String source = patterns.get(i);
            String where = "lockErrorPatterns[" + i + "] " + quote(source);
            if (source == null || source.isBlank()) {
                problems.add(where + " is empty");
            } else if (source.length() > MAX_PATTERN_LENGTH) {
                problems.add(where + " is longer than " + MAX_PATTERN_LENGTH + " characters");
            } else if ((costs[i] = PatternCost.estimate(source)) > MAX_PATTERN_COST) {
                // Refused before compiling: RE2/J expands counted repetitions while it compiles.
                problems.add(where + " is too costly to match: cost " + costs[i] + ", at most " + MAX_PATTERN_COST
                        + " (the states the matcher may step on every character of a log; a counted repetition such as"
                        + " {0,100} copies what it repeats, .* does not)");
            } else {
                try {
                    compiled.add(Pattern.compile(source, Pattern.CASE_INSENSITIVE));
                } catch (PatternSyntaxException e) {
                    problems.add(where + " is not a valid RE2 expression (backreferences and lookaround are not supported): "
                            + e.getDescription());
                }
            }
        }
        int total = Arrays.stream(costs).sum();
        if (problems.isEmpty() && total > MAX_TOTAL_PATTERN_COST) {
            problems.add("lockErrorPatterns are too costly to match together: cost " + total + ", at most "
                    + MAX_TOTAL_PATTERN_COST + "; the costliest: " + costliest(patterns, costs));
        }
        if (!problems.isEmpty()) {
            throw new InvalidPatternsException(problems);
        }
        return new LockPatterns(List.copyOf(patterns), List.copyOf(compiled));
    }

    private static String costliest(List<String> patterns, int[] costs) {
        return IntStream.range(0, costs.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> costs[i]).reversed())
                .limit(COSTLIEST_NAMED)
                .map(i -> "lockErrorPatterns[" + i + "] " + quote(patterns.get(i)) + " costs " + costs[i])
                .collect(Collectors.joining(", "));
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
