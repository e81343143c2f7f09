package com.rafaribe.homelab.hub.cli;

import com.rafaribe.homelab.hub.Main;
import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.policy.LockDetector;
import com.rafaribe.homelab.hub.policy.LockHolder;
import com.rafaribe.homelab.hub.policy.LockVerdict;
import com.rafaribe.homelab.hub.policy.LogTail;
import com.rafaribe.homelab.hub.policy.MonitorValidator;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import com.rafaribe.homelab.hub.policy.Redactor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.ObjectMapper;

/** Runs the lock detector on log files, the way the hub runs it on a failed mover's log. */
@Command(name = "check-log",
        mixinStandardHelpOptions = true,
        versionProvider = HubVersion.class,
        description = {
                "Decides for each log file whether it shows a restic lock conflict, as the hub would.",
                "Prints FILE<TAB>lock|not-lock<TAB>reason per file (tabs and newlines in the reason escaped).",
                "Only the last 64 KiB of each file is examined."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:Every file was read.", "2:There was a usage error or an invalid monitor, or a file could not be read."})
public final class CheckLogCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = "--monitor", paramLabel = "FILE.yaml",
            description = "Adds the lockErrorPatterns of this file's VolSyncMonitor to the built-in rules.")
    private Path monitorFile;

    @Option(names = "--monitor-name", paramLabel = "NAME",
            description = {"Takes the VolSyncMonitor of this name from the --monitor file.", "Default: the first."})
    private String monitorName;

    @Option(names = "--json", description = "Prints one line of JSON per file, with the lock's holder and age.")
    private boolean json;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Reads these log files; - reads the standard input.")
    private List<String> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LockDetector detector;
        try {
            detector = detector();
        } catch (InvalidMonitorException e) {
            err.println("check-log: " + e.getMessage());
            return 2;
        }
        int exit = 0;
        for (String file : files) {
            String log;
            try {
                log = "-".equals(file) ? LogTail.of(main.stdin()) : LogTail.of(Path.of(file));
            } catch (IOException | RuntimeException e) {
                err.println("check-log: cannot read " + file + ": " + e.getMessage());
                exit = 2;
                continue;
            }
            LockVerdict verdict = detector.examine(log);
            out.println(json ? asJson(file, verdict) : file + "\t" + label(verdict) + "\t" + escape(Redactor.redact(verdict.reason())));
        }
        out.flush();
        return exit;
    }

    private LockDetector detector() {
        if (monitorFile == null) {
            if (monitorName != null) {
                throw new ParameterException(spec.commandLine(), "--monitor-name needs --monitor FILE.yaml");
            }
            return LockDetector.BUILT_IN;
        }
        List<VolSyncMonitor> monitors;
        try {
            monitors = MonitorYaml.parseAll(Files.readString(monitorFile));
        } catch (IOException | RuntimeException e) {
            throw new InvalidMonitorException("cannot read monitor file " + monitorFile + ": " + e.getMessage());
        }
        VolSyncMonitor monitor = monitors.stream()
                .filter(m -> monitorName == null || (m.getMetadata() != null && monitorName.equals(m.getMetadata().getName())))
                .findFirst()
                .orElseThrow(() -> new InvalidMonitorException(monitorName == null
                        ? "no VolSyncMonitor in " + monitorFile
                        : "no VolSyncMonitor named " + monitorName + " in " + monitorFile));
        // Only the patterns count here; which images and ServiceAccounts a template may ask for is the running hub's flags.
        MonitorValidator.Result result = MonitorValidator.validate(monitor, UnlockAllowList.ANY);
        if (!result.valid()) {
            throw new InvalidMonitorException("invalid VolSyncMonitor " + monitor.getMetadata().getName() + ": "
                    + String.join("; ", result.problems()));
        }
        return result.policy().detector();
    }

    private static String label(LockVerdict verdict) {
        return verdict.lock() ? "lock" : "not-lock";
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String asJson(String file, LockVerdict v) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", file);
        o.put("verdict", label(v));
        o.put("rule", v.rule().id());
        o.put("pattern", v.pattern());
        o.put("reason", Redactor.redact(v.reason()));
        o.put("line", v.lineNumber() == 0 ? null : v.lineNumber());
        o.put("matched", v.line() == null ? null : Redactor.redact(v.line(), 1024));
        LockHolder h = v.holder();
        if (h == null) {
            o.put("holder", null);
        } else {
            Map<String, Object> holder = new LinkedHashMap<>();
            holder.put("pid", h.pid());
            holder.put("host", Redactor.redact(h.host()));
            holder.put("user", Redactor.redact(h.user()));
            holder.put("uid", h.uid());
            holder.put("gid", h.gid());
            holder.put("exclusive", h.exclusive());
            o.put("holder", holder);
        }
        o.put("lockAgeSeconds", v.lockAge() == null ? null : v.lockAge().toNanos() / 1e9);
        o.put("lockCreatedAt", v.lockCreatedAt());
        o.put("lockId", v.lockId());
        o.put("invalidLockFile", v.invalidLockFile());
        return JSON.writeValueAsString(o);
    }

    private static final class InvalidMonitorException extends RuntimeException {
        InvalidMonitorException(String message) {
            super(message);
        }
    }
}
