package com.rafaribe.homelab.hub.dashboard;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the dashboard's token file again when it changes, so a token is rotated without a restart
 * (a Secret's new value reaches a mounted file within a minute or so). The file's modification time
 * is looked at every few seconds on a worker thread, never on the event loop; the new token is handed
 * over on the verticle's own context. A file that cannot be read, or holds a token too short, leaves
 * the old token in force and is logged.
 */
final class TokenFile {
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);

    private final Vertx vertx;
    private final Path path;
    private final Consumer<String> rotate;
    private final long timer;
    private FileTime seen;
    private boolean checking;

    TokenFile(Vertx vertx, Path path, Duration every, Consumer<String> rotate) {
        this.vertx = vertx;
        this.path = path;
        this.rotate = rotate;
        try {
            this.seen = Files.getLastModifiedTime(path);
        } catch (IOException e) {
            this.seen = null;
        }
        this.timer = vertx.setPeriodic(every.toMillis(), id -> check());
    }

    private void check() {
        if (checking) {
            return;
        }
        checking = true;
        FileTime before = seen;
        vertx.executeBlocking(() -> {
            // A Secret volume swaps a symbolic link: the time of the file it points to is the one that changes.
            FileTime now = Files.getLastModifiedTime(path);
            return Objects.equals(now, before) ? null : new Read(now, Files.readString(path));
        }, false).onComplete(result -> {
            checking = false;
            if (result.failed()) {
                LOG.error("dashboard: the token file {} cannot be read ({}); the token in force stays", path, result.cause().getMessage());
                return;
            }
            Read read = result.result();
            if (read == null) {
                return;
            }
            seen = read.time();
            try {
                rotate.accept(read.text());
            } catch (IllegalArgumentException e) {
                LOG.error("dashboard: the token file {} changed, but {}; the token in force stays", path, e.getMessage());
            }
        });
    }

    void close() {
        vertx.cancelTimer(timer);
    }

    private record Read(FileTime time, String text) {
    }
}
