package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.UnlockJobTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a monitor's {@code unlockJobTemplate} may ask for beyond the failed mover's own image and
 * ServiceAccount. The unlock Job gets the mover's Secret env and repository volumes, in every
 * namespace the monitor selects: an image or ServiceAccount of the monitor author's choice
 * would run their code with those credentials. So only what the hub's operator allowed
 * ({@code --unlock-image-allow}, {@code --unlock-service-account-allow}) passes; by default
 * nothing but the mover's own does, and the command must be restic's unlock.
 *
 * @param imagePatterns globs over image references ({@code *}: any characters), compared after
 *                      Docker Hub's short names are spelled out ({@code restic/restic} is
 *                      {@code docker.io/restic/restic})
 * @param serviceAccounts ServiceAccount names a template may set; {@code *} for any
 */
public record UnlockAllowList(List<String> imagePatterns, Set<String> serviceAccounts) {
    public static final String IMAGE_FLAG = "--unlock-image-allow";
    public static final String IMAGE_ENV = "HUB_UNLOCK_IMAGE_ALLOW";
    public static final String SERVICE_ACCOUNT_FLAG = "--unlock-service-account-allow";
    public static final String SERVICE_ACCOUNT_ENV = "HUB_UNLOCK_SERVICE_ACCOUNT_ALLOW";
    /** The default: only the failed mover's own image and ServiceAccount. */
    public static final UnlockAllowList MOVER_ONLY = new UnlockAllowList(List.of(), Set.of());
    /** Any image and ServiceAccount: for check-log, which reads only a monitor's patterns; the command is still checked. */
    public static final UnlockAllowList ANY = new UnlockAllowList(List.of("*"), Set.of("*"));
    public static final String ANY_SERVICE_ACCOUNT = "*";
    static final String RESTIC = "restic";
    static final String UNLOCK = "unlock";
    /**
     * Flags an unlock may carry. Others are refused because some run programs with the mover's
     * env ({@code --password-command}, {@code -o rclone.program=...}) or point restic at another
     * repository ({@code -r}), which would hand it the mover's credentials.
     */
    static final Set<String> UNLOCK_FLAGS = Set.of("--remove-all", "--no-cache", "--cleanup-cache", "--json", "--quiet", "-q",
            "--verbose", "-v", "-vv", "--no-lock");
    private static final Pattern VERBOSE_LEVEL = Pattern.compile("--verbose=[0-9]");

    public UnlockAllowList {
        imagePatterns = List.copyOf(imagePatterns);
        serviceAccounts = Set.copyOf(serviceAccounts);
        for (String p : imagePatterns) {
            if (p.isBlank() || p.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(IMAGE_FLAG + " " + LockPatterns.quote(p) + " is not an image pattern");
            }
        }
    }

    /** The problems of a template under this allow list, each naming its field and what to change. */
    public List<String> problems(UnlockJobTemplate template) {
        List<String> problems = new ArrayList<>();
        String image = template.getImage();
        if (image != null && !image.isBlank() && !imageAllowed(image)) {
            problems.add("spec.unlockJobTemplate.image " + LockPatterns.quote(image) + " is not allowed: the hub runs the failed mover's own image"
                    + " unless the hub's " + IMAGE_FLAG + " (" + IMAGE_ENV + ") matches it");
        }
        String sa = template.getServiceAccount();
        if (sa != null && !serviceAccounts.contains(sa) && !serviceAccounts.contains(ANY_SERVICE_ACCOUNT)) {
            problems.add("spec.unlockJobTemplate.serviceAccount " + LockPatterns.quote(sa) + " is not allowed: the hub runs the unlock as the"
                    + " mover's own ServiceAccount unless the hub's " + SERVICE_ACCOUNT_FLAG + " (" + SERVICE_ACCOUNT_ENV + ") names it");
        }
        problems.addAll(commandProblems(template.getCommand(), template.getArgs()));
        return problems;
    }

    public boolean imageAllowed(String image) {
        String normalized = normalize(image);
        return imagePatterns.stream().anyMatch(p -> glob(normalize(p)).matcher(normalized).matches());
    }

    /**
     * The command must run restic itself (no shell, which could run anything) and its subcommand
     * must be {@code unlock}, with only the flags of {@link #UNLOCK_FLAGS}.
     */
    static List<String> commandProblems(List<String> command, List<String> args) {
        List<String> problems = new ArrayList<>();
        if (command != null && command.contains(null) || args != null && args.contains(null)) {
            return problems; // reported as an empty entry by the validator
        }
        if (command != null && command.isEmpty()) {
            problems.add("spec.unlockJobTemplate.command is empty, which runs the image's entrypoint: leave it out to run restic");
            return problems;
        }
        List<String> words = new ArrayList<>();
        if (command != null) {
            String program = command.get(0);
            String base = program.substring(program.lastIndexOf('/') + 1);
            if (!RESTIC.equals(base)) {
                problems.add("spec.unlockJobTemplate.command " + LockPatterns.quote(String.join(" ", command))
                        + " does not run restic: the program must be restic (a path such as /usr/local/bin/restic is fine), not a shell");
                return problems;
            }
            words.addAll(command.subList(1, command.size()));
        }
        if (args != null) {
            words.addAll(args);
        } else if (command == null) {
            return problems; // restic unlock --remove-all, the default
        }
        String field = command == null || command.size() <= 1 ? "args" : "command and args";
        String subcommand = words.stream().filter(w -> !w.startsWith("-")).findFirst().orElse(null);
        if (!UNLOCK.equals(subcommand)) {
            problems.add("spec.unlockJobTemplate." + field + " give restic " + (subcommand == null ? "no subcommand" : "the subcommand "
                    + LockPatterns.quote(subcommand)) + "; it must be unlock");
            return problems;
        }
        for (String w : words) {
            if (w.startsWith("-") && !UNLOCK_FLAGS.contains(w) && !VERBOSE_LEVEL.matcher(w).matches()) {
                problems.add("spec.unlockJobTemplate." + field + " flag " + LockPatterns.quote(w) + " is not allowed in an unlock (some flags run"
                        + " programs or change the repository); allowed: " + String.join(" ", UNLOCK_FLAGS.stream().sorted().toList()));
            } else if (!w.startsWith("-") && !w.equals(UNLOCK)) {
                problems.add("spec.unlockJobTemplate." + field + " argument " + LockPatterns.quote(w) + " is not allowed in an unlock");
            }
        }
        return problems;
    }

    /** {@code restic/restic:1} and {@code docker.io/restic/restic:1} are the same image to a container runtime. */
    static String normalize(String image) {
        String s = image.toLowerCase(Locale.ROOT).startsWith("index.docker.io/") ? "docker.io/" + image.substring("index.docker.io/".length()) : image;
        int slash = s.indexOf('/');
        if (s.startsWith("*")) {
            return s; // a pattern whose registry is any
        }
        if (slash < 0) {
            return "docker.io/library/" + s;
        }
        String first = s.substring(0, slash);
        boolean registry = first.contains(".") || first.contains(":") || first.equals("localhost");
        return registry ? s : "docker.io/" + s;
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(String.join(".*", Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).toList()));
    }

    @Override
    public String toString() {
        return "images " + (imagePatterns.isEmpty() ? "(the mover's own)" : String.join(",", imagePatterns)) + ", service accounts "
                + (serviceAccounts.isEmpty() ? "(the mover's own)" : String.join(",", serviceAccounts.stream().sorted().toList()));
    }
}
