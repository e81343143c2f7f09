package com.rafaribe.homelab.hub.dashboard;

/** What a dashboard token must be: long enough that guessing it, a few tries a minute, never ends. */
public final class DashboardTokens {
    /** As long as {@code openssl rand -hex 16}. */
    public static final int MIN_LENGTH = 32;

    private DashboardTokens() {
    }

    /**
     * @return the token without surrounding white space
     * @throws IllegalArgumentException for a token too short or of more than one word; the message never quotes it
     */
    public static String checked(String token) {
        String stripped = token == null ? "" : token.strip();
        if (stripped.length() < MIN_LENGTH || stripped.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the dashboard token must be one word of at least " + MIN_LENGTH
                    + " characters (openssl rand -hex 32 makes one); this one has " + stripped.length());
        }
        return stripped;
    }
}
