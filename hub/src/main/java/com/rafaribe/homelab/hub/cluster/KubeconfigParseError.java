package com.rafaribe.homelab.hub.cluster;

import java.util.Optional;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;

/**
 * Why a kubeconfig does not parse, without a word of its text. The YAML parser's message quotes
 * the offending line with a caret under it, and that line is often a {@code token:} or a client
 * key; the message goes to the log and the API. So only the line, the column and the parser's
 * fixed description of the problem are told.
 */
final class KubeconfigParseError {
    /** Long enough for every fixed problem ("expected <block end>, but found '<block mapping start>'"). */
    static final int MAX_PROBLEM = 80;

    private KubeconfigParseError() {
    }

    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException yaml) {
                Optional<Mark> mark = yaml.getProblemMark().or(yaml::getContextMark);
                String problem = problem(yaml.getProblem() != null ? yaml.getProblem() : yaml.getContext());
                return mark.map(m -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": " + problem).orElse(problem);
            }
            if (t instanceof JacksonException mapping && !mapping.getPath().isEmpty()) {
                // Valid YAML of the wrong shape: fabric8 maps it after parsing, so no line is known; the field path is.
                String path = mapping.getPath().stream()
                        .map(r -> r.getPropertyName() != null ? "." + r.getPropertyName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining()).substring(1);
                return "not a kubeconfig: " + path + " has the wrong type";
            }
        }
        return "not a kubeconfig";
    }

    /**
     * The parser's problems are fixed phrases, except for a few that name what they found: an alias or
     * anchor by name, a character, an escape. Those names, and quoted text of more than two characters
     * (a token kind such as {@code '<block end>'} stays, and so does an escape such as {@code '\t'}), go.
     */
    static String problem(String problem) {
        if (problem == null) {
            return "not valid YAML";
        }
        String fixed = problem.strip().replaceAll("\\s+", " ")
                .replaceAll("'(?!<[a-z ]+>')[^']{3,}'", "'…'")
                .replaceAll("(alias|anchor) \\S+", "$1 …")
                .replaceAll("(character|but found) (?!['<])\\S{2,}", "$1 …");
        return fixed.length() > MAX_PROBLEM ? fixed.substring(0, MAX_PROBLEM) + "…" : fixed;
    }
}
