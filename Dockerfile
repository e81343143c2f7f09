# The hub's image: `docker build -t ghcr.io/rafaribe/volsync-monitor-hub:0.1.0 .`
# (or without a Docker engine: `mvn -pl hub -am package jib:build`, see deploy/README.md).
# The build stage runs the same Maven build as CI, tests skipped; the image holds a JRE and the jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY web-ui web-ui
COPY hub hub
COPY agent-config agent-config
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# The user deploy/base/deployment.yaml runs as (runAsUser/runAsGroup 10001): non-root, no shell login.
RUN groupadd --system --gid 10001 hub && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin hub
COPY --from=build /src/hub/target/volsync-monitor-hub.jar /app/volsync-monitor-hub.jar
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/volsync-monitor-hub.jar"]
CMD ["run"]
