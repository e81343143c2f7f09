package com.rafaribe.homelab.hub.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * Masks credentials in text that leaves the hub's memory (annotations, status, Events, API,
 * logs): URL userinfo ({@code s3:https://user:pass@host}, {@code rest:https://u:p@host}) and the
 * values of environment variables whose names say they hold a secret.
 */
public final class Redactor {
    public static final String MASK = "***";

    private static final Pattern URL_USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s/@\"']+@");
    /** restic's and VolSync's secret variables, and anything named like a secret. */
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "\\b((?:RESTIC_PASSWORD(?:_COMMAND)?|RESTIC_REST_PASSWORD|RESTIC_REST_USERNAME|RESTIC_REPOSITORY"
                    + "|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|B2_ACCOUNT_KEY|B2_ACCOUNT_ID"
                    + "|AZURE_ACCOUNT_KEY|AZURE_ACCOUNT_SAS|GOOGLE_PROJECT_ID|ST_KEY|OS_PASSWORD|OS_APPLICATION_CREDENTIAL_SECRET"
                    + "|[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_KEY|ACCOUNT_KEY|API_KEY|PRIVATE_KEY|CREDENTIALS|_PASS)[A-Z0-9_]*))"
                    + "(\"?\\s*[=:]\\s*\"?)([^\\s\"',;]+)");

    /**
     * Every name {@link #SECRET_ASSIGNMENT} matches contains one of these (it is case-sensitive), and
     * an assignment needs '=' or ':': text with neither skips the regex, which is most text (the
     * status conditions written on every monitor change, the reasons of the read model).
     */
    private static final String[] SECRET_NAME_PARTS = {"PASS", "SECRET", "TOKEN", "_KEY", "CREDENTIAL", "USERNAME", "REPOSITORY",
            "ACCOUNT_", "PROJECT_ID"};

    private Redactor() {
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String withoutUserinfo = text.contains("://") ? URL_USERINFO.matcher(text).replaceAll("$1" + MASK + "@") : text;
        if (!mayAssignSecret(withoutUserinfo)) {
            return withoutUserinfo;
        }
        Matcher m = SECRET_ASSIGNMENT.matcher(withoutUserinfo);
        return m.replaceAll("$1$2" + MASK);
    }

    private static boolean mayAssignSecret(String text) {
        if (text.indexOf('=') < 0 && text.indexOf(':') < 0) {
            return false;
        }
        for (String part : SECRET_NAME_PARTS) {
            if (text.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** Redacted, then cut to at most {@code maxChars} characters with a marker when cut. */
    public static String redact(String text, int maxChars) {
        String redacted = redact(text);
        if (redacted == null || redacted.length() <= maxChars) {
            return redacted;
        }
        return redacted.substring(0, Math.max(0, maxChars - 3)) + "...";
    }
}
