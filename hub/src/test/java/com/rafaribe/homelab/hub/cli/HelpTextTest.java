package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.Main;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Every line of every --help is a whole sentence: no description is cut where the terminal width
 * ran out (as the demo's once was, mid-sentence, in the list of commands), and each starts with a
 * capital and ends with a full stop. The demo says what it needs to run.
 */
class HelpTextTest {
    static String help(String... args) {
        StringWriter out = new StringWriter();
        int exit = Main.execute(new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
        assertThat(exit).as(String.join(" ", args)).isZero();
        return out.toString();
    }

    /** The text of each line of a help, without the synopsis, the headings and the option, parameter, command or exit code it describes. */
    static List<String> texts(String help) {
        List<String> texts = new ArrayList<>();
        boolean synopsis = false;
        for (String line : help.split("\n")) {
            if (line.startsWith("Usage: ")) {
                synopsis = true;
                continue;
            }
            if (synopsis && line.startsWith(" ".repeat(20))) {
                continue;
            }
            synopsis = false;
            if (line.isBlank() || (!line.startsWith(" ") && line.endsWith(":"))) {
                continue;
            }
            String text = line.strip()
                    .replaceFirst("^(-\\w, )?--?[\\w-]+(=\\S+)?(\\s{2,}|$)", "")
                    .replaceFirst("^\\[?[A-Z]+]?(\\.\\.\\.)?\\s{2,}", "")
                    .replaceFirst("^(run|demo|check-log|help)\\s{2,}", "")
                    .replaceFirst("^\\d+\\s{2,}", "");
            if (!text.isEmpty()) {
                texts.add(text);
            }
        }
        return texts;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "run --help", "demo --help", "check-log --help", "help --help", "help run"})
    void everyLineIsAWholeSentence(String args) {
        String help = help(args.split(" "));
        List<String> texts = texts(help);
        assertThat(texts).as(help).isNotEmpty();
        assertThat(texts).as("in `volsync-monitor-hub %s`:%n%s", args, help).allSatisfy(text -> assertThat(text).matches("[A-Z].*[.!?]"));
    }

    @Test
    void theListOfCommandsShowsTheirFirstSentenceWhole() {
        String help = help("--help");
        assertThat(help).contains("  demo       Runs the hub against sandbox clusters whose VolSync movers run the real restic.\n",
                "  run        Watches every cluster of the kubeconfigs and unlocks stale restic locks.\n",
                "  check-log  Decides for each log file whether it shows a restic lock conflict, as the hub would.\n");
    }

    @Test
    void theDemoSaysWhatItNeeds() {
        assertThat(help("demo", "--help")).contains("Linux", "Java 17", "restic on the PATH", "apt-get install restic", "root",
                "unshare", "setpriv", "util-linux", "Ctrl-C");
    }
}
