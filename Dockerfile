# syntax=docker/dockerfile:1
# Build a static citebot binary, then ship it with the bundled corpus on a
# distroless base. The index is cached in /data (mount a volume to keep it).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/citebot ./cmd/citebot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/citebot /usr/local/bin/citebot
COPY corpus /corpus
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV CITEBOT_CORPUS=/corpus \
    CITEBOT_DATA=/data
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/citebot"]
CMD ["sources"]
