# syntax=docker/dockerfile:1
# bridge: a static binary on a distroless, non-root base. The `tshark` target is the
# capture side of docker-compose.yml.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/bridge ./cmd/bridge \
 && mkdir -p /out/data /out/state

FROM debian:bookworm-slim AS tshark
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tshark \
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["tshark"]

FROM gcr.io/distroless/static-debian12:nonroot AS bridge
COPY --from=build /out/bridge /usr/local/bin/bridge
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/state /state
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/bridge"]
CMD ["--help"]
