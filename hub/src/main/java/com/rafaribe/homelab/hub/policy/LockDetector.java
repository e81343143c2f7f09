package com.rafaribe.homelab.hub.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.rafaribe.homelab.hub.policy.LineKind.Role;
import com.rafaribe.homelab.hub.policy.LockVerdict.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a failed mover's log shows a restic lock conflict:
 * lock = (built-in conflict OR a monitor pattern) AND NOT a built-in veto.
 * Only the last {@value LogTail#MAX_BYTES} bytes are examined, and every expression is RE2/J,
 * so the cost is linear in that bounded input.
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

    public LockVerdict examine(String log) {
        List<LogLine> lines = LogLine.split(LogTail.of(log));
        List<LineKind> kinds = classify(lines);

        int conflict = lastIndex(kinds, Role.CONFLICT);
        int builtIn = conflict >= 0 ? conflict : lastIndex(kinds, Role.HINT);
        int userMatch = -1;
        String userPattern = null;
        int vetoedMatch = -1;
        String vetoedPattern = null;
        if (!patterns.isEmpty()) {
            for (int i = lines.size() - 1; i >= 0 && (userMatch < 0 || vetoedMatch < 0); i--) {
                Optional<String> match = patterns.firstMatch(lines.get(i).text());
                if (match.isEmpty()) {
                    continue;
                }
                if (kinds.get(i).role() == Role.VETO) {
                    if (vetoedMatch < 0) {
                        vetoedMatch = i;
                        vetoedPattern = match.get();
                    }
                } else if (userMatch < 0) {
                    userMatch = i;
                    userPattern = match.get();
                }
            }
        }

        int deciding = builtIn >= 0 ? builtIn : userMatch;
        if (deciding >= 0) {
            for (int i = deciding + 1; i < lines.size(); i++) {
                if (kinds.get(i) == LineKind.SUCCESS) {
                    return LockVerdict.notLock(Rule.of(LineKind.SUCCESS), true, lines.get(i), null);
                }
            }
            return builtIn >= 0 ? conflictVerdict(lines, kinds, builtIn) : lockByPattern(lines, userMatch, userPattern);
        }
        if (vetoedMatch >= 0) {
            return LockVerdict.notLock(Rule.of(kinds.get(vetoedMatch)), true, lines.get(vetoedMatch), vetoedPattern);
        }
        int veto = lastIndex(kinds, Role.VETO);
        if (veto >= 0) {
            return LockVerdict.notLock(Rule.of(kinds.get(veto)), false, lines.get(veto), null);
        }
        return LockVerdict.notLock(Rule.NO_LOCK_ERROR, false, null, null);
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
        return new LockVerdict(true, Rule.of(kinds.get(at)), false, null, line.number(), line.text(), holder, age, createdAt, lockId);
    }

    private static LockVerdict lockByPattern(List<LogLine> lines, int at, String pattern) {
        LogLine line = lines.get(at);
        return new LockVerdict(true, Rule.PATTERN, false, pattern, line.number(), line.text(),
                LockHolder.parse(line.text()).orElse(null), null, null, null);
    }
}
