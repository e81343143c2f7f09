package com.rafaribe.homelab.hub.policy;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Locale;
import java.util.function.Function;

/**
 * Masks credentials in text that leaves the hub's memory (logs, Events, monitor status, Job
 * annotations, the API and its event stream): PEM private keys, URL userinfo, Authorization and
 * Cookie headers, bearer tokens, JWTs, the values of keys and variables named like a secret
 * (quoted or not, in env, YAML, JSON, INI, query strings), secret command-line flags and a few
 * self-describing token formats (AWS key IDs, GitHub, GitLab, Slack, Google API keys).
 *
 * <p>Runs on every log line, possibly on an event loop: every pattern is re2j (linear time, no
 * backtracking blow-up), and each runs only when a cheap substring test says it may match.
 * Ordinary text (restic's lock messages, storage IDs, pod names, repository keys) is left as is.
 */
public final class Redactor {
    public static final String MASK = "***";

    private static final Pattern PEM_PRIVATE_KEY = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----|\\z)");

    /**
     * scheme://user:password@ up to the last '@' of the URL (passwords hold '@' and '/' unencoded
     * in restic's rest: and s3: URLs), or scheme://token@. Without a ':' the userinfo cannot hold a '/'.
     */
    private static final Pattern URL_USERINFO = Pattern.compile(
            "([A-Za-z][A-Za-z0-9+.-]*://)(?:[^\\s/?#\"'<>:]*:[^\\s\"'<>]*|[^\\s/?#\"'<>:]+)@");

    private static final Pattern AUTHORIZATION_HEADER = Pattern.compile(
            "(?i)((?:proxy-)?authorization\\\\?[\"']?[ \\t]*[:=][ \\t]*\\\\?[\"']?)"
                    + "((?:bearer|basic|digest|token|negotiate|ntlm|aws4-hmac-sha256|sharedkey|apikey)[ \\t]+)?[^\\s\"',]+");

    private static final Pattern COOKIE_HEADER = Pattern.compile("(?i)(\\b(?:set-)?cookie[ \\t]*:[ \\t]*)[^\\r\\n\"]+");

    private static final Pattern BEARER = Pattern.compile("(?i)(\\bbearer[ \\t]+)[A-Za-z0-9._~+/=-]{6,}");

    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");

    /** Names of what holds a secret; a name must end with one of these (tokenRequired does not). */
    private static final String SECRET_NAME = "(?:[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|credentials?|signature"
            + "|api[_.-]?key|(?:access|secret|account|private|client|master|encryption|signing|shared|storage|session)[_.-]?key"
            + "(?:[_.-]?(?:id|data))?)"
            + "|(?:[A-Za-z0-9_.-]*[_.-])?(?:pass|pwd|sig|sas|auth)"
            + "|restic_repository|restic_password_command|restic_rest_username|b2_account_id|google_project_id|st_key)";

    /**
     * A secret name (after a character that cannot be part of it), its closing quote, a separator
     * (=, :, :=, =>), then the value: "double", 'single' or \"escaped\" quotes whole, spaces and
     * all, or else up to white space or a delimiter.
     */
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?i)(^|[^A-Za-z0-9_.-])(" + SECRET_NAME + ")(\\\\?[\"']?)([ \\t]*(?::=|=>|=|:)[ \\t]*)"
                    + "(\\\\\"(?:[^\"\\\\]|\\\\[^\"])*(?:\\\\\"|\\z)|\"(?:[^\"\\\\\\r\\n]|\\\\.)*\"?|'[^'\\r\\n]*'?|[^\\s\"',;&}]+)");

    private static final Pattern SECRET_FLAG = Pattern.compile(
            "(?i)((?:^|[\\s\"'])--?(?:[a-z0-9]+-)*(?:password|passwd|passphrase|pass|token|secret|api-key|access-key|secret-key|account-key)"
                    + "[ \\t]+)(\"[^\"\\r\\n]*\"?|'[^'\\r\\n]*'?|[^\\s\"'-][^\\s\"']*)");

    private static final Pattern KNOWN_TOKENS = Pattern.compile(
            "\\b(?:(?:AKIA|ASIA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}"
                    + "|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|sk_(?:live|test)_[A-Za-z0-9]{16,})\\b");

    /** The fragments (lower case) one of which a secret name holds: text with none of them skips the assignment pattern. */
    private static final String[] SECRET_NAME_PARTS = {"pass", "pwd", "secret", "token", "credential", "signature", "key", "sig", "sas",
            "auth", "restic_re", "b2_account", "project_id"};

    private Redactor() {
    }

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = text;
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.contains("private key")) {
            s = replace(PEM_PRIVATE_KEY, s, m -> "-----BEGIN " + m.group(1) + "PRIVATE KEY-----" + MASK + "-----END " + m.group(1)
                    + "PRIVATE KEY-----");
        }
        if (s.contains("://") && s.indexOf('@') >= 0) {
            s = replace(URL_USERINFO, s, m -> m.group(1) + MASK + "@");
        }
        if (lower.contains("authorization")) {
            s = replace(AUTHORIZATION_HEADER, s, m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)) + MASK);
        }
        if (lower.contains("cookie")) {
            s = replace(COOKIE_HEADER, s, m -> m.group(1) + MASK);
        }
        if (lower.contains("bearer")) {
            s = replace(BEARER, s, m -> m.group(1) + MASK);
        }
        if (s.contains("eyJ")) {
            s = replace(JWT, s, m -> MASK);
        }
        if ((s.indexOf('=') >= 0 || s.indexOf(':') >= 0) && containsAny(lower, SECRET_NAME_PARTS)) {
            s = replace(SECRET_ASSIGNMENT, s, Redactor::maskAssignment);
        }
        if (s.indexOf('-') >= 0 && containsAny(lower, SECRET_NAME_PARTS)) {
            s = replace(SECRET_FLAG, s, m -> m.group(1) + quoted(m.group(2)));
        }
        if (mayHoldKnownToken(s)) {
            s = replace(KNOWN_TOKENS, s, m -> MASK);
        }
        return s;
    }

    /** Redacted, then cut to at most {@code maxChars} characters with a marker when cut. */
    public static String redact(String text, int maxChars) {
        String redacted = redact(text);
        if (redacted == null || redacted.length() <= maxChars) {
            return redacted;
        }
        return redacted.substring(0, Math.max(0, maxChars - 3)) + "...";
    }

    private static String maskAssignment(Matcher m) {
        String name = m.group(2);
        String closingQuote = m.group(3);
        String separator = m.group(4);
        // The hub's own repository keys read "secret:<name>#<key>" and "envFrom-secret:<name>": a bare
        // "secret" name glued to a colon names a Secret, while "secret: x", "secret=x", "\"secret\":" hold one.
        if (closingQuote.isEmpty() && ":".equals(separator) && name.toLowerCase(Locale.ROOT).endsWith("secret")) {
            return m.group();
        }
        return m.group(1) + name + closingQuote + separator + quoted(m.group(5));
    }

    /** The mask inside the value's own quotes, so the text around it still parses. */
    private static String quoted(String value) {
        if (value.startsWith("\\\"")) {
            return "\\\"" + MASK + "\\\"";
        } else if (value.startsWith("\"")) {
            return "\"" + MASK + "\"";
        } else if (value.startsWith("'")) {
            return "'" + MASK + "'";
        }
        return MASK;
    }

    private static boolean mayHoldKnownToken(String s) {
        return s.contains("AKIA") || s.contains("ASIA") || s.contains("gh") || s.contains("glpat-") || s.contains("xox")
                || s.contains("AIza") || s.contains("sk_");
    }

    private static boolean containsAny(String lower, String[] parts) {
        for (String part : parts) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return false;
    }

    private static String replace(Pattern pattern, String text, Function<Matcher, String> replacement) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        do {
            out.append(text, last, m.start()).append(replacement.apply(m));
            last = m.end();
        } while (m.find());
        return out.append(text, last, text.length()).toString();
    }
}
