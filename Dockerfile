# syntax=docker/dockerfile:1
# Countersign image: built with the project's own Maven wrapper, so the image and a developer's
# `./mvnw package` use the same Maven and the same pom. Build: docker build -t countersign .

# ---- build -------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /workspace

# Everything the build needs, including the top-level bpmn/ and forms/ that the pom packages when present;
# .dockerignore keeps target/, data/ and .git out.
COPY . .
# The cache mount keeps ~/.m2 (dependencies and the wrapper's Maven) across builds without baking it into
# a layer. Tests run in CI against PostgreSQL, not here.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package \
 && cp target/countersign-*.jar /workspace/countersign.jar

# ---- run ---------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
# A fixed uid so volume ownership and Kubernetes runAsUser can be stated up front.
RUN groupadd --system --gid 10001 countersign \
 && useradd --system --uid 10001 --gid countersign --home-dir /app --shell /usr/sbin/nologin countersign \
 && mkdir -p /app/data \
 && chown -R countersign:countersign /app
WORKDIR /app
COPY --from=build --chown=countersign:countersign /workspace/countersign.jar /app/countersign.jar
USER countersign:countersign

# Container-aware heap: a share of the container's memory limit rather than of the host's.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    PORT=8080
EXPOSE 8080
# The default (H2) profile writes /app/data: mount a volume there to keep it, or use the postgres profile.

# Liveness only: readiness can legitimately be down (database away) without the process being stuck.
# The first start creates the engine schema, hence the generous start period. curl ships with the base image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT}/actuator/health/liveness" > /dev/null || exit 1

# The base image's entrypoint execs this, so java runs as PID 1 and gets SIGTERM itself:
# `docker stop` then triggers Spring's graceful shutdown instead of a kill after the timeout.
CMD ["java", "-jar", "/app/countersign.jar"]
