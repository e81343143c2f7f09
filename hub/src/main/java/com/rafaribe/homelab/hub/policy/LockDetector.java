package com.rafaribe.homelab.hub.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.rafaribe.homelab.hub.policy.LineKind.Role;
import com.rafaribe.homelab.hub.policy.LineKind.Scope;
import com.rafaribe.homelab.hub.policy.LockVerdict.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a failed mover's log shows a restic lock conflict:
 * lock = (built-in conflict OR a monitor pattern) AND NOT a built-in veto. A veto cancels a
 * pattern's match as far as its {@link LineKind.Scope} reaches; a built-in conflict, restic's own
 * words, is cancelled only by a success after it.
 * Only the last {@value LogTail#MAX_BYTES} bytes are examined, and every expression is RE2/J,
 * so the cost is linear in that bounded input.
 *
 * <p>Linear is still CPU-bound work that blocks its thread: per 64 KiB log, about 40 ms for the
 * built-in rules and up to about 50 ms more for a monitor's patterns at their cost limit
 * ({@link LockPatterns#MAX_TOTAL_PATTERN_COST}), measured on the project's 2-core machine.
 * Call {@link #examine} from a worker thread, never from an event loop.
 */
public final class LockDetector {
    public static final LockDetector BUILT_IN = new LockDetector(LockPatterns.NONE);

    private static final Pattern CREATED_AT = Pattern.compile(
            "lock was created at (\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})(?: \\(([^)]*) ago\\))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern STORAGE_ID = Pattern.compile("storage ID ([0-9a-f]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern LOCK_FILE_ID = Pattern.compile("<lock/([0-9a-f]+)>", Pattern.CASE_INSENSITIVE);
    /** entry.sh's step markers ("=== Starting backup ==="), not restic's "=====" underlines. */
    private static final Pattern VOLSYNC_STEP = Pattern.compile("^==+ \\S");
    /** restic prints a conflict's details on the lines right after it. */
    private static final int DETAIL_LINES = 4;

    private final LockPatterns patterns;

    public LockDetector(LockPatterns patterns) {
        this.patterns = patterns;
    }

    /** Blocking: tens of milliseconds of CPU for a full 64 KiB tail (see the class comment). */
    public LockVerdict examine(String log) {
        List<LogLine> lines = LogLine.split(LogTail.of(log));
        List<LineKind> kinds = classify(lines);

        int conflict = lastIndex(kinds, Role.CONFLICT);
        int builtIn = conflict >= 0 ? conflict : lastIndex(kinds, Role.HINT);
        if (builtIn >= 0) {
            // restic's own conflict message: only a success after it overrules it, never a pattern's veto.
            for (int i = builtIn + 1; i < lines.size(); i++) {
                if (kinds.get(i) == LineKind.SUCCESS) {
                    return LockVerdict.notLock(Rule.of(LineKind.SUCCESS), true, lines.get(i));
                }
            }
            return conflictVerdict(lines, kinds, builtIn);
        }
        PatternMatch match = lastPatternMatch(lines, kinds);
        if (match.decides()) {
            int veto = vetoOf(kinds, match.at());
            return veto >= 0 ? LockVerdict.vetoedPattern(kinds.get(veto), lines.get(veto), match.pattern(), lines.get(match.at()))
                    : lockByPattern(lines, match.at(), match.pattern());
        }
        if (match.at() >= 0) {
            return LockVerdict.vetoedPattern(kinds.get(match.at()), lines.get(match.at()), match.pattern(), lines.get(match.at()));
        }
        int veto = lastIndex(kinds, Role.VETO);
        if (veto >= 0) {
            return LockVerdict.notLock(Rule.of(kinds.get(veto)), false, lines.get(veto));
        }
        return LockVerdict.notLock(Rule.NO_LOCK_ERROR, false, null);
    }

    /**
     * The last line a monitor pattern matches that is no veto line itself; failing that, the last
     * (veto) line a pattern matches, which then decides nothing.
     */
    private PatternMatch lastPatternMatch(List<LogLine> lines, List<LineKind> kinds) {
        PatternMatch onVeto = PatternMatch.NONE;
        for (int i = lines.size() - 1; i >= 0 && !patterns.isEmpty(); i--) {
            Optional<String> pattern = patterns.firstMatch(lines.get(i).text());
            if (pattern.isPresent() && kinds.get(i).scope() == Scope.NONE) {
                return new PatternMatch(i, pattern.get(), true);
            }
            if (pattern.isPresent() && onVeto.at() < 0) {
                onVeto = new PatternMatch(i, pattern.get(), false);
            }
        }
        return onVeto;
    }

    /** The veto line that cancels a pattern's match on line {@code at}, by each veto's scope; -1 if none does. */
    private static int vetoOf(List<LineKind> kinds, int at) {
        for (int i = kinds.size() - 1; i >= 0; i--) {
            Scope scope = kinds.get(i).scope();
            if (scope == Scope.WHOLE_TAIL || (scope == Scope.AFTER_MATCH && i > at)) {
                return i;
            }
        }
        return -1;
    }

    /** Line {@code at} (-1: none) matched {@code pattern}; it {@code decides} unless it is a veto line itself. */
    private record PatternMatch(int at, String pattern, boolean decides) {
        static final PatternMatch NONE = new PatternMatch(-1, null, false);
    }

    private static List<LineKind> classify(List<LogLine> lines) {
        int helpStart = helpStart(lines);
        List<LineKind> kinds = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            kinds.add(LineKind.of(lines.get(i), i >= helpStart));
        }
        return kinds;
    }

    /**
     * Where restic's help output starts, or past the end when there is none. `restic X --help`
     * prints the command's description (which talks about locks) before its "Usage:" block, so
     * help runs from the start of the log, or from VolSync's last step marker, to the end.
     */
    private static int helpStart(List<LogLine> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (LineKind.startsHelp(lines.get(i)) && i + 1 < lines.size() && lines.get(i + 1).text().startsWith("restic ")) {
                for (int j = i - 1; j >= 0; j--) {
                    if (VOLSYNC_STEP.matcher(lines.get(j).text()).find()) {
                        return j + 1;
                    }
                }
                return 0;
            }
        }
        return lines.size();
    }

    private static int lastIndex(List<LineKind> kinds, Role role) {
        for (int i = kinds.size() - 1; i >= 0; i--) {
            if (kinds.get(i).role() == role) {
                return i;
            }
        }
        return -1;
    }

    private static LockVerdict conflictVerdict(List<LogLine> lines, List<LineKind> kinds, int at) {
        LogLine line = lines.get(at);
        LockHolder holder = LockHolder.parse(line.text()).orElse(null);
        Duration age = null;
        String createdAt = null;
        String lockId = null;
        Matcher lockFile = LOCK_FILE_ID.matcher(line.text());
        if (lockFile.find()) {
            lockId = lockFile.group(1);
        }
        for (int i = at + 1; i < lines.size() && i <= at + DETAIL_LINES; i++) {
            String detail = lines.get(i).text();
            Matcher created = CREATED_AT.matcher(detail);
            if (created.find()) {
                createdAt = created.group(1);
                age = created.group(2) == null ? null : GoDuration.parse(created.group(2)).orElse(null);
            }
            Matcher storage = STORAGE_ID.matcher(detail);
            if (storage.find()) {
                lockId = storage.group(1);
            }
        }
        return new LockVerdict(true, Rule.of(kinds.get(at)), false, null, 0, line.number(), line.text(), holder, age, createdAt, lockId);
    }

    private static LockVerdict lockByPattern(List<LogLine> lines, int at, String pattern) {
        LogLine line = lines.get(at);
        return new LockVerdict(true, Rule.PATTERN, false, pattern, line.number(), line.number(), line.text(),
                LockHolder.parse(line.text()).orElse(null), null, null, null);
    }
}
