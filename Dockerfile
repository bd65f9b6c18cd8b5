# syntax=docker/dockerfile:1
# Build a static citebot binary, then ship it with the bundled corpus on a
# distroless base. The index is cached in /data (mount a volume to keep it).
# `docker run -p 8080:8080 -e CITEBOT_API_KEYS=... IMAGE` serves the API and
# page (or `-e CITEBOT_ALLOW_OPEN=true` instead of keys for an open server);
# `docker run IMAGE ask "..."` answers one question.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# The modules first, so that this layer is rebuilt only when go.mod or
# go.sum change.
COPY go.mod go.sum ./
RUN go mod download
# Then the Go packages and nothing else, so that a change to the docs, the
# tests or the corpus keeps the compiled layer (.dockerignore leaves out
# tests and test data). A new top-level package directory is listed here;
# cmd/citebot's TestDockerfileCopiesEveryPackage says so when it is not.
COPY bot ./bot
COPY cmd ./cmd
COPY config ./config
COPY rag ./rag
# .git is not in the build context: `citebot version` names the commit
# given as --build-arg COMMIT=$(git rev-parse --short HEAD).
ARG COMMIT=""
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/citebot/citebot/bot/cli.commit=${COMMIT}" \
      -o /out/citebot ./cmd/citebot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /usr/local/bin/citebot
COPY NOTICE /usr/share/doc/citebot/NOTICE
COPY corpus /corpus
COPY --from=build --chown=nonroot:nonroot /out/data /data
# In a container the server must listen beyond loopback, so `serve` refuses
# to start without CITEBOT_API_KEYS unless CITEBOT_ALLOW_OPEN=true says that
# anyone who can reach it may query and re-index. With keys it answers for any
# Host; set CITEBOT_ALLOWED_HOSTS to restrict that.
ENV CITEBOT_CORPUS=/corpus \
    CITEBOT_DATA=/data \
    CITEBOT_ADDR=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
# Healthy once serve answers GET /readyz with 200: the index is loaded. A
# large corpus's first index may take minutes, which start-period allows.
# `citebot discord` serves no HTTP: run it with --no-healthcheck.
HEALTHCHECK --interval=15s --timeout=10s --start-period=5m --retries=3 \
    CMD ["/usr/local/bin/citebot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/citebot"]
CMD ["serve"]
