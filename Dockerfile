# Bulletin: one binary. go-sqlite3 needs cgo, so build on Debian and run on
# a slim Debian with CA certificates for SMTP over TLS.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# What "bulletin version" prints. The build context has no .git (see
# .dockerignore), so git describe cannot run here: docker-compose passes
# BULLETIN_VERSION, or: docker build --build-arg VERSION=$(git describe --always --dirty) .
ARG VERSION=docker
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/bulletin ./cmd/bulletin

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/bulletin --create-home bulletin \
    && mkdir -p /var/lib/bulletin/data /var/lib/bulletin/dkim \
    && chown -R bulletin:bulletin /var/lib/bulletin \
    && chmod 0750 /var/lib/bulletin/data \
    && chmod 0700 /var/lib/bulletin/dkim
COPY --from=build /out/bulletin /usr/local/bin/bulletin
USER bulletin
WORKDIR /var/lib/bulletin
ENV BULLETIN_DATA=/var/lib/bulletin/data BULLETIN_ADDR=0.0.0.0:8080
# The data folder exists in the image, owned by bulletin, so a new named
# volume mounted here starts with that owner (Docker copies it); a volume
# declared on a folder the image lacks would be root's and unwritable.
# The same holds for dkim, where docker-compose.yml mounts the DKIM keys
# that serve and the send workers share.
VOLUME /var/lib/bulletin/data
EXPOSE 8080
ENTRYPOINT ["bulletin"]
CMD ["serve"]
