# The hub's image for this machine's platform: `docker build -t ghcr.io/rafaribe/volsync-monitor-hub:<version> .`
# (<version>: the root pom.xml's). Releases are built with Jib for linux/amd64 and linux/arm64,
# without a Docker engine: `mvn -pl hub -am -DskipTests package jib:build` (docs/releasing.md).
# The build stage runs the same Maven build as CI, tests skipped; the image holds a JRE and the jar.
# Both base images are pinned by digest (the multi-platform index's): a tag moves, a digest names
# one image. hub/pom.xml's Jib <from> names the same runtime image; DeployManifestsTest keeps them
# equal. docs/releasing.md says how to move them to a newer build.
FROM maven:3.9-eclipse-temurin-17@sha256:42a3ac393abbc64dae6c96703e5ead2e921fe9103371ac58b5b404b0d6a26502 AS build
WORKDIR /src
COPY pom.xml .
COPY web-ui web-ui
COPY hub hub
COPY agent-config agent-config
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre@sha256:c6f2875c05ea10f16398bdc5f73405c384991506f2f1ead8bcc6582ae8adea79
# The user deploy/base/deployment.yaml runs as (runAsUser/runAsGroup 10001): non-root, no shell login.
RUN groupadd --system --gid 10001 hub && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin hub
COPY --from=build /src/hub/target/volsync-monitor-hub.jar /app/volsync-monitor-hub.jar
# A working directory that exists (the base image's is /, read-only in the Deployment); the hub writes
# nothing there, and anything relative lands here rather than at the filesystem's root.
WORKDIR /app
USER 10001:10001
EXPOSE 8080
# glibc gives each thread that allocates an arena of its own, up to eight per CPU, and the hub's ~90 threads
# (informers, the API calls' pool) left most of them partly used: two arenas cut the resident peak at
# 10 clusters x 300 movers by about 8 MiB (docs/performance.md). Jib and the Deployment set it too.
ENV MALLOC_ARENA_MAX=2
# The JVM options measured by scripts/bench (docs/performance.md): the serial collector (G1 committed 42 MiB
# of its own beside a 128 MiB heap) and the C1 compiler only (C2's threads and arenas cost memory, and on a
# small CPU share they made the start-up twice as long). The serial collector grows the heap until 40% of it
# is free after a full collection and gives nothing back under 70%: at 10 clusters x 300 movers a 50 MiB live
# set held a 123 MiB heap; at 20% and 40% it holds about 90 MiB, 25 MiB less resident, with no full collection
# while failures are handled. Jib's jvmFlags and the Deployment's JAVA_TOOL_OPTIONS repeat them
# (DeployManifestsTest). An OutOfMemoryError leaves the JVM in an unknown state: it exits, and Kubernetes
# starts it again.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MinHeapFreeRatio=20", "-XX:MaxHeapFreeRatio=40", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/volsync-monitor-hub.jar"]
CMD ["run"]
