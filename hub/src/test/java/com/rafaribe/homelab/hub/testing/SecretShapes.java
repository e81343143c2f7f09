package com.rafaribe.homelab.hub.testing;

import java.util.List;

/**
 * Credentials in the shapes they take in mover logs, configs and errors: each with the secret
 * parts that must never leave the hub and the harmless context that must stay readable. Every
 * secret is a distinctive string, so a search of any output for it cannot hit by chance.
 */
public final class SecretShapes {
    public record Shape(String name, String text, List<String> secrets, List<String> kept) {
        @Override
        public String toString() {
            return name;
        }
    }

    private SecretShapes() {
    }

    private static Shape shape(String name, String text, List<String> secrets, List<String> kept) {
        return new Shape(name, text, secrets, kept);
    }

    public static final List<Shape> ALL = List.of(
            shape("key=value", "restic: password=Hunt3rKV1 while opening", List.of("Hunt3rKV1"), List.of("restic: password=", "while opening")),
            shape("key: value", "config token: T0kenColon1 loaded", List.of("T0kenColon1"), List.of("config token: ", "loaded")),
            shape("key = value (aws config)", "aws_secret_access_key = wJalrAwsCfg1/K7MDENG", List.of("wJalrAwsCfg1", "K7MDENG"),
                    List.of("aws_secret_access_key = ")),
            shape("env single-quoted", "RESTIC_PASSWORD='abcSQ1 defSQ1' set", List.of("abcSQ1", "defSQ1"), List.of("RESTIC_PASSWORD=", "set")),
            shape("env double-quoted with a space", "RESTIC_PASSWORD=\"abcDQ1 defDQ1\" set", List.of("abcDQ1", "defDQ1"),
                    List.of("RESTIC_PASSWORD=", "set")),
            shape("export AWS_SECRET_ACCESS_KEY", "export AWS_SECRET_ACCESS_KEY=wJalrExport2EXAMPLEKEY", List.of("wJalrExport2EXAMPLEKEY"),
                    List.of("export AWS_SECRET_ACCESS_KEY=")),
            shape("AWS_SESSION_TOKEN", "AWS_SESSION_TOKEN=FwoGZXIvSessTok3n//wEaDO", List.of("FwoGZXIvSessTok3n"), List.of("AWS_SESSION_TOKEN=")),
            shape("B2_ACCOUNT_KEY", "B2_ACCOUNT_KEY=K001b2AccountKey4", List.of("K001b2AccountKey4"), List.of("B2_ACCOUNT_KEY=")),
            shape("AZURE_ACCOUNT_KEY", "AZURE_ACCOUNT_KEY=azAcctKey5+/base64==", List.of("azAcctKey5"), List.of("AZURE_ACCOUNT_KEY=")),
            shape("GOOGLE_APPLICATION_CREDENTIALS json", "{\"type\": \"service_account\", \"private_key_id\": \"gcpKeyId6abc\", \"private_key\": "
                            + "\"-----BEGIN PRIVATE KEY-----\\nMIIEgcpPrivBody6\\n-----END PRIVATE KEY-----\\n\", \"client_email\": "
                            + "\"backup@proj.iam.gserviceaccount.com\"}",
                    List.of("gcpKeyId6abc", "MIIEgcpPrivBody6"), List.of("service_account", "backup@proj.iam.gserviceaccount.com")),
            shape("Authorization: Bearer", "request failed, Authorization: Bearer beArerTok7.abc-def (401)", List.of("beArerTok7"),
                    List.of("request failed, Authorization: Bearer ", "(401)")),
            shape("Authorization: Basic", "Authorization: Basic dXNlcjpiYXNpYzg= rejected", List.of("dXNlcjpiYXNpYzg="),
                    List.of("Authorization: Basic ", "rejected")),
            shape("Proxy-Authorization header in quotes", "curl -H \"Proxy-Authorization: token prxTok9value\" https://x", List.of("prxTok9value"),
                    List.of("curl -H", "https://x")),
            shape("URL userinfo with '@' in the password", "Fatal: rest:https://user10:p@ss10x@host.lan:8000/repo unreachable",
                    List.of("p@ss10x", "ss10x@", "user10"), List.of("rest:https://", "@host.lan:8000/repo unreachable")),
            shape("s3 URL userinfo", "s3:https://AKIAUSERINFO11:s3SecretUi11@minio.lan/bucket", List.of("AKIAUSERINFO11", "s3SecretUi11"),
                    List.of("s3:https://", "@minio.lan/bucket")),
            shape("URL with a token as user", "git clone https://ghTokenUser12@github.com/org/repo.git", List.of("ghTokenUser12"),
                    List.of("git clone https://", "@github.com/org/repo.git")),
            shape("JWT", "token expired: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqd3QxMyJ9.jwtSig13_part for sa", List.of("eyJzdWIiOiJqd3QxMyJ9", "jwtSig13_part"),
                    List.of("token expired", "for sa")),
            shape("PEM private key block", "key follows\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpemBody14line1\npemBody14line2\n"
                    + "-----END RSA PRIVATE KEY-----\nafter the key", List.of("MIIEpemBody14line1", "pemBody14line2"),
                    List.of("key follows", "BEGIN RSA PRIVATE KEY", "after the key")),
            shape("truncated OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk15\ncut here", List.of("b3BlbnNzaC1rZXk15", "cut here"),
                    List.of("BEGIN OPENSSH PRIVATE KEY")),
            shape("kubeconfig token:", "users:\n- name: hub\n  user:\n    token: kubeTok16abc\n", List.of("kubeTok16abc"), List.of("- name: hub", "token: ")),
            shape("kubeconfig client-key-data:", "    client-key-data: LS0tLS1CRUdJTiBkeyData17\n    client-certificate-data: LS0tCERT",
                    List.of("LS0tLS1CRUdJTiBkeyData17"), List.of("client-key-data: ", "client-certificate-data: LS0tCERT")),
            shape("kubeconfig password:", "    username: admin\n    password: kubePass18\n", List.of("kubePass18"), List.of("username: admin", "password: ")),
            shape("rclone pass =", "[nas]\ntype = sftp\npass = rclObscured19\n", List.of("rclObscured19"), List.of("type = sftp", "pass = ")),
            shape("rclone secret_access_key =", "secret_access_key = rclSecret20\nprovider = Minio", List.of("rclSecret20"),
                    List.of("secret_access_key = ", "provider = Minio")),
            shape("JSON password", "{\"user\": \"alice\", \"password\": \"json pass21 w0rd21\"}", List.of("pass21", "w0rd21"),
                    List.of("\"user\": \"alice\"", "\"password\": ")),
            shape("JSON escaped inside a JSON log line", "{\"message\":\"config {\\\"token\\\":\\\"esc22 aped\\\"} read\"}", List.of("esc22", "aped"),
                    List.of("{\"message\":\"config {", "read\"}")),
            shape("query string", "GET /api?access_token=qsTok23&sig=qsSig23&user=bob HTTP/1.1", List.of("qsTok23", "qsSig23"),
                    List.of("GET /api?access_token=", "&user=bob HTTP/1.1")),
            shape("X-Amz-Signature", "https://s3.lan/b/o?X-Amz-Credential=AKIAPRESIGN24%2F20240101&X-Amz-Signature=amzSig24abc&X-Amz-Expires=60",
                    List.of("AKIAPRESIGN24", "amzSig24abc"), List.of("https://s3.lan/b/o?X-Amz-Credential=", "&X-Amz-Expires=60")),
            shape("X-Amz-Security-Token", "X-Amz-Security-Token: amzSecTok25//wEa", List.of("amzSecTok25"), List.of("X-Amz-Security-Token: ")),
            shape("Azure SAS sig", "azure:https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=sasSig26%2Bv%3D",
                    List.of("sasSig26"), List.of("sv=2022-11-02&ss=b&sig=")),
            shape("OAuth client_secret", "client_secret: oauthSecret27", List.of("oauthSecret27"), List.of("client_secret: ")),
            shape("RESTIC_REPOSITORY with credentials", "RESTIC_REPOSITORY=s3:https://minio.lan/bucket28Private", List.of("bucket28Private"),
                    List.of("RESTIC_REPOSITORY=")),
            shape("OS_PASSWORD", "OS_PASSWORD=openStack29", List.of("openStack29"), List.of("OS_PASSWORD=")),
            shape("api_key and X-API-Key", "api_key=apiKey30a X-API-Key: apiKey30b", List.of("apiKey30a", "apiKey30b"), List.of("api_key=", "X-API-Key: ")),
            shape("--password flag", "restic --password flagPass31 --repo /r", List.of("flagPass31"), List.of("restic --password ", "--repo /r")),
            shape("bare AWS access key ID", "InvalidAccessKeyId: AKIAIOSFODNN7EXAMP32 not found", List.of("AKIAIOSFODNN7EXAMP32"),
                    List.of("InvalidAccessKeyId: ", "not found")),
            shape("Cookie header", "Cookie: session=cookie33abc; theme=dark", List.of("cookie33abc"), List.of("Cookie: ")),
            shape("JSON secret key", "{\"secret\": \"bare secret34 value\"}", List.of("secret34", "value\""), List.of("{\"secret\": ")),
            shape("RESTIC_REST_PASSWORD", "RESTIC_REST_PASSWORD=restPw35", List.of("restPw35"), List.of("RESTIC_REST_PASSWORD=")),
            shape("two secrets on one line", "password=twoA36 token=twoB36 done", List.of("twoA36", "twoB36"), List.of("password=", "token=", "done")),
            shape("DB_PASS", "DB_PASS=dbPass37", List.of("dbPass37"), List.of("DB_PASS=")),
            shape("GitHub token", "push refused for ghp_abcdefghijklmnopqrstuvwxyz0123456738", List.of("ghp_abcdefghijklmnopqrstuvwxyz0123456738"),
                    List.of("push refused for ")),
            shape("passphrase in YAML quotes", "passphrase: 'my pass39 phrase'", List.of("pass39", "phrase'"), List.of("passphrase: ")),
            shape("bearer in prose", "retrying with bearer brTok40value", List.of("brTok40value"), List.of("retrying with bearer "))
    );

    /** Ordinary text the hub shows, restic's lock messages above all: none of it may change. */
    public static final List<String> HARMLESS = List.of(
            "unable to create lock in backend: repository is already locked exclusively by PID 31 on volsync-src-jellyfin-a1b2c by  (UID 568, GID 568)",
            "lock was created at 2026-11-26 11:30:06 (3m2s ago)",
            "storage ID 3335e539",
            "the `unlock` command can be used to remove stale locks",
            "repository is already locked by PID 7 on nas.lan by root (UID 0, GID 0)",
            "removed lock 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f",
            "successfully removed 1 locks",
            "Fatal: wrong password or no key found",
            "ERROR: failure connecting to repository, incorrect password",
            "home/media/secret:jellyfin-restic#RESTIC_REPOSITORY/nfs:truenas.example:/mnt/storage-0/volsync",
            "home/media/envFrom-secret:app-restic+envFrom-configmap:app-env",
            "cluster=home namespace=media job=volsync-src-jellyfin-b2c3d decision=unlocked why=the holder is gone",
            "https://10.0.0.1:6443",
            "s3:https://minio.lan:9000/volsync/app",
            "dashboard and API on http://127.0.0.1:8080/ (token required)",
            "tokenRequired=true",
            "Job has reached the specified backoff limit",
            "FORGET_OPTIONS=--keep-hourly 6 --keep-daily 5",
            "secretName: app-restic",
            "volsync-unlock-jellyfin-3f2a9c1d (PID 31, user root, exclusive)",
            "2026-11-26T12:00:00Z pod volsync-src-jellyfin-b2c3d failed (exit 3)");
}
