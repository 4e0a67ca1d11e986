# The rawkit image: the static binaries rawkit and rawkit-exporter (the
# exporter's own, which "rawkit exporter" executes) on a distroless base,
# as a non-root user. It runs every command; the exporter's Kubernetes
# example (deploy/kubernetes) runs /usr/bin/rawkit-exporter with no
# capability at all (ping sockets).
#
#   docker build -t rawkit:latest --build-arg VERSION=1.2.0 .
#   docker run --rm rawkit:latest version
#   docker run --rm --cap-add NET_RAW rawkit:latest ping -c 3 192.0.2.1
#
# A command that needs raw sockets as this user needs the capability in
# its ambient set; see rawkit(1), PRIVILEGES.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
# /out/rawkit and /out/rawkit-exporter
RUN scripts/build-static.sh /out/rawkit "$VERSION"

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rawkit /usr/bin/rawkit
COPY --from=build /out/rawkit-exporter /usr/bin/rawkit-exporter
COPY --from=build /src/LICENSE /src/THIRD_PARTY_NOTICES /usr/share/doc/rawkit/
USER 65532:65532
ENTRYPOINT ["/usr/bin/rawkit"]
CMD ["help"]
