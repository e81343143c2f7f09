package com.rafaribe.homelab.hub.policy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a mover log as the detector sees it. {@code number} is the line's number in the
 * examined tail; lines expanded from a restic {@code --json} message share their JSON line's
 * number, and {@code jsonExitCode} carries an {@code exit_error}'s code (11: lock conflict, 0.17+).
 */
public record LogLine(int number, String text, Integer jsonExitCode) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern ANSI = java.util.regex.Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");

    /** Splits on any line ending, strips terminal colour codes and expands restic JSON messages. */
    public static List<LogLine> split(String log) {
        List<LogLine> lines = new ArrayList<>();
        String[] raw = log.split("\r\n|\r|\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String text = ANSI.matcher(raw[i]).replaceAll("").strip();
            if (text.startsWith("{") && text.endsWith("}") && text.contains("\"message_type\"")) {
                expandJson(i + 1, text, lines);
            } else {
                lines.add(new LogLine(i + 1, text, null));
            }
        }
        return lines;
    }

    /** restic 0.18+ puts the whole error, "\n"s and all, in one JSON string. */
    private static void expandJson(int number, String text, List<LogLine> into) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (Exception notJson) {
            into.add(new LogLine(number, text, null));
            return;
        }
        String message = node.path("message").isString() ? node.path("message").asString()
                : node.path("error").path("message").isString() ? node.path("error").path("message").asString() : null;
        if (message == null) {
            into.add(new LogLine(number, text, null));
            return;
        }
        Integer exitCode = "exit_error".equals(node.path("message_type").asString()) && node.path("code").canConvertToInt()
                ? node.path("code").asInt() : null;
        for (String part : message.split("\r\n|\r|\n")) {
            into.add(new LogLine(number, part.strip(), exitCode));
        }
    }
}
