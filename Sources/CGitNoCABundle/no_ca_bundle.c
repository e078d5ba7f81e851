/*
 * lineage never talks to a network through libgit2: it reads and writes a local object store only.
 * Debian's libgit2 is built with mbedTLS, and git_libgit2_init() parses the whole system CA bundle
 * (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) at start-up: about 3.5 ms of every
 * `lineage` command that opens a store, a third of a `record run`.
 *
 * This definition takes the place of mbedTLS's own for libgit2 (the executable's symbols come first
 * when the dynamic linker binds libgit2's imports). It loads no certificate and reports success, so
 * libgit2 starts with an empty CA chain: any HTTPS connection libgit2 were ever asked to make would
 * fail certificate verification. It fails closed; it never trusts more.
 */
#include "CGitNoCABundle.h"

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}

int lineage_git_no_ca_bundle_linked(void) {
    return 1;
}
