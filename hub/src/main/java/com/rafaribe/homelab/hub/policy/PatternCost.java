package com.rafaribe.homelab.hub.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * An upper bound on what one RE2 pattern costs per character of a log, read from the pattern's
 * text without compiling it. RE2/J simulates the pattern's automaton, stepping every live state on
 * every character, so the time per character grows with how many states can be live at once,
 * and counted repetitions copy their operand: {@code (.{0,100}){10}} keeps about 1000 states live
 * on any text. Compiling first is no option: RE2/J expands repetitions eagerly, and
 * {@code ((a{1000}){1000}){1000}} exhausts the heap while compiling.
 *
 * <p>The bound counts the states RE2 compiles that a character can step, each at most once: a
 * character, class or empty-width assertion counts 1; concatenations and alternations add up,
 * with a branch state per further alternative; {@code x{n,m}} is n copies of x and m-n optional
 * ones, each behind a branch state ({@code x{n,}}: n copies and a loop; *, + and ? alike); and a
 * run of literal characters counts only the positions that can be live together, a prefix and
 * its borders (by KMP): "lock" 2, "repository is already locked" 3, "aaaa" 4. Case folding only
 * merges characters, which can only lengthen those chains. Measured against RE2/J 1.8, each
 * unit costs 0.1 to 1 ms of CPU per 64 KiB log, the most for dot repetitions on any text.
 */
public final class PatternCost {
    /** What a pattern costs beyond its states: the matcher's own work per character and line (measured: "x" costs 2 to 4 ms per 64 KiB). */
    public static final int PER_PATTERN = 3;
    private static final long SATURATED = Integer.MAX_VALUE;
    /** x{n}, x{n,}, x{n,m}; anything else after a '{' is literal to RE2. Bounded input, no backtracking. */
    private static final java.util.regex.Pattern COUNTED = java.util.regex.Pattern.compile("\\{(\\d+)(,(\\d*))?}");

    private final String source;
    private int pos;

    private PatternCost(String source) {
        this.source = source;
    }

    /** {@link #PER_PATTERN} plus the live-state bound; patterns RE2 would reject get some finite number. */
    public static int estimate(String pattern) {
        PatternCost parser = new PatternCost(pattern);
        long states = parser.alternation();
        while (parser.pos < pattern.length()) { // a stray ')': RE2 rejects it, keep counting
            parser.pos++;
            states = add(states, parser.alternation());
        }
        return (int) Math.min(SATURATED, states + PER_PATTERN);
    }

    private long alternation() {
        long states = concatenation();
        while (peek() == '|') { // each further branch adds a branch state
            pos++;
            states = add(states, add(1, concatenation()));
        }
        return states;
    }

    /** Literal characters are kept apart until the end, when consecutive ones form runs. */
    private long concatenation() {
        long states = 0;
        List<Integer> run = new ArrayList<>();
        while (pos < source.length() && peek() != '|' && peek() != ')') {
            int start = pos;
            List<Integer> literals = new ArrayList<>();
            long atom = atom(literals);
            Repeat repeat = repeat();
            if (repeat == null && atom < 0) {
                run.addAll(literals);
                continue;
            }
            if (atom < 0) { // a quantifier binds to the last literal only: "ab*" is "a" then "b*"
                run.addAll(literals.subList(0, literals.size() - 1));
                atom = 1;
            }
            states = add(states, runStates(run));
            run.clear();
            states = add(states, repeat == null ? atom : repeat.states(atom));
            if (pos == start) {
                pos++;
            }
        }
        return add(states, runStates(run));
    }

    /**
     * Parses one atom. Returns its live-state bound, or -1 when it is literal characters (added to
     * {@code literals}) that may join a run.
     */
    private long atom(List<Integer> literals) {
        int c = source.codePointAt(pos);
        pos += Character.charCount(c);
        switch (c) {
            case '(':
                return group();
            case '[':
                skipClass();
                return 1;
            case '.', '^', '$':
                return 1;
            case '\\':
                return escape(literals);
            default:
                literals.add(c);
                return -1;
        }
    }

    private long group() {
        if (source.startsWith("?", pos)) {
            int end = pos + 1;
            while (end < source.length() && ":)<>'".indexOf(source.charAt(end)) < 0) {
                end++;
            }
            if (end < source.length() && source.charAt(end) == ')') { // (?i): flags only, no state
                pos = end + 1;
                return 0;
            }
            if (end < source.length() && source.charAt(end) == '<') { // (?P<name> or (?<name>
                end = source.indexOf('>', end);
            }
            pos = end < 0 ? source.length() : end + 1;
        }
        long inner = alternation();
        if (peek() == ')') {
            pos++;
        }
        return Math.max(1, inner);
    }

    private void skipClass() {
        if (peek() == '^') {
            pos++;
        }
        if (peek() == ']') { // a leading ']' is literal
            pos++;
        }
        while (pos < source.length() && source.charAt(pos) != ']') {
            if (source.startsWith("[:", pos) && source.indexOf(":]", pos + 2) > 0) {
                pos = source.indexOf(":]", pos + 2) + 2;
            } else if (source.charAt(pos) == '\\') {
                pos++;
                escape(new ArrayList<>());
            } else {
                pos++;
            }
        }
        pos++;
    }

    private long escape(List<Integer> literals) {
        if (pos >= source.length()) {
            return 1;
        }
        char c = source.charAt(pos++);
        switch (c) {
            case 'Q': {
                int end = source.indexOf("\\E", pos);
                String quoted = source.substring(pos, end < 0 ? source.length() : end);
                pos = end < 0 ? source.length() : end + 2;
                quoted.codePoints().forEach(literals::add);
                return quoted.isEmpty() ? 0 : -1;
            }
            case 'p', 'P':
                if (peek() == '{') {
                    int end = source.indexOf('}', pos);
                    pos = end < 0 ? source.length() : end + 1;
                } else if (pos < source.length()) {
                    pos++;
                }
                return 1;
            case 'x': {
                boolean braced = peek() == '{';
                int from = braced ? pos + 1 : pos;
                int end = braced ? source.indexOf('}', from) : Math.min(source.length(), pos + 2);
                end = end < 0 ? source.length() : end;
                pos = braced ? Math.min(source.length(), end + 1) : end;
                literals.add(code(source.substring(from, end), 16));
                return -1;
            }
            default:
                if (c >= '0' && c <= '7') { // octal, up to three digits
                    int from = pos - 1;
                    while (pos < source.length() && pos < from + 3 && source.charAt(pos) >= '0' && source.charAt(pos) <= '7') {
                        pos++;
                    }
                    literals.add(code(source.substring(from, pos), 8));
                    return -1;
                }
                if ("dDsSwWbBAzC".indexOf(c) >= 0) {
                    return 1;
                }
                int control = "afnrtv".indexOf(c);
                literals.add(control >= 0 ? "\u0007\f\n\r\t\u000b".charAt(control) : (int) c);
                return -1;
        }
    }

    private record Repeat(long min, long max) {
        /**
         * What RE2 compiles x{n,m} to: n copies of x, then m-n optional ones, each behind a branch
         * state; x{n,} is n copies (at least one) and a loop's branch state. *, + and ? are the same.
         */
        long states(long operand) {
            if (max < 0) {
                return add(mul(Math.max(min, 1), operand), 1);
            }
            return add(mul(min, operand), mul(Math.max(0, max - min), add(operand, 1)));
        }
    }

    private Repeat repeat() {
        Repeat repeat = null;
        char c = peek();
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            repeat = new Repeat(c == '+' ? 1 : 0, c == '?' ? 1 : -1);
        } else if (c == '{') {
            java.util.regex.Matcher m = COUNTED.matcher(source).region(pos, source.length());
            if (!m.lookingAt()) {
                return null; // not a repetition: RE2 takes '{' literally, and so does the next atom
            }
            pos = m.end();
            long min = Long.parseLong(m.group(1).length() > 9 ? "999999999" : m.group(1));
            long max = m.group(2) == null ? min : m.group(3).isEmpty() ? -1
                    : Long.parseLong(m.group(3).length() > 9 ? "999999999" : m.group(3));
            repeat = new Repeat(min, max);
        }
        if (repeat != null && peek() == '?') { // non-greedy: the same states
            pos++;
        }
        return repeat;
    }

    /**
     * Live positions of a literal run: a thread waits at position L once the run's first L
     * characters were the last ones read, so the positions live together are a prefix and its
     * borders (prefixes that are also its suffixes), down to 0. The longest such chain, by KMP.
     */
    static long runStates(List<Integer> run) {
        int n = run.size();
        if (n == 0) {
            return 0;
        }
        int[] w = run.stream().mapToInt(c -> Character.toLowerCase(Character.toUpperCase(c))).toArray();
        int[] border = new int[n + 1]; // border[L]: the longest proper border of the first L characters
        int[] chain = new int[n + 1]; // chain[L]: positions L, border[L], border[border[L]], ..., 0
        chain[0] = 1;
        long most = 1;
        int k = 0;
        for (int length = 1; length < n; length++) { // a thread at position n has left the run
            while (k > 0 && w[length - 1] != w[k]) {
                k = border[k];
            }
            if (length > 1 && w[length - 1] == w[k]) {
                k++;
            }
            border[length] = k;
            chain[length] = chain[k] + 1;
            most = Math.max(most, chain[length]);
        }
        return most;
    }

    private static int code(String digits, int radix) {
        try {
            return Integer.parseInt(digits, radix);
        } catch (NumberFormatException e) {
            return 0xFFFD;
        }
    }

    private char peek() {
        return pos < source.length() ? source.charAt(pos) : 0;
    }

    private static long add(long a, long b) {
        return Math.min(SATURATED, a + b);
    }

    private static long mul(long a, long b) {
        return a == 0 || b == 0 ? 0 : a > SATURATED / b ? SATURATED : Math.min(SATURATED, a * b);
    }
}
