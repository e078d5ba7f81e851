/*
 * lineage links libgit2 statically (Package.swift) and uses it for a local object store only: it never
 * fetches, pushes or clones through libgit2. Loading Debian's shared libgit2 cost every command about
 * 4 ms before main(): the dynamic linker mapped and bound 15 libraries for transports lineage never
 * uses (Kerberos, SSH, two TLS stacks). Linked statically, only what libgit2 references comes along,
 * and the two pieces below replace what would still cost start-up time or has no static library.
 */
#include "CGitLocalOnly.h"

struct mbedtls_x509_crt;

/*
 * git_libgit2_init() parses the whole system CA bundle (/etc/ssl/certs/ca-certificates.crt, ~140
 * certificates) through mbedTLS: about 3.5 ms of every command that opens a store. libgit2's call is
 * redirected here by the linker (--wrap=mbedtls_x509_crt_parse_file). It loads no certificate and
 * reports success, so libgit2 starts with an empty CA chain: any HTTPS connection libgit2 were ever
 * asked to make would fail certificate verification. It fails closed; it never trusts more.
 */
int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}

/*
 * libgit2's HTTP transport offers Kerberos ("Negotiate") authentication through GSSAPI, which ships no
 * static library. These take its place and all fail (GSS_S_FAILURE), as GSSAPI does when no Kerberos
 * is configured: libgit2 would report that the authentication is unavailable.
 */
typedef unsigned int lineage_gss_status;
#define LINEAGE_GSS_S_FAILURE (13u << 16)
static const struct { unsigned int length; const void *elements; } lineage_gss_no_oid = {0, 0};
const void *GSS_C_NT_HOSTBASED_SERVICE = &lineage_gss_no_oid;

#define LINEAGE_GSS_UNAVAILABLE(name)                       \
    lineage_gss_status name(lineage_gss_status *minor) {    \
        if (minor) *minor = 0;                              \
        return LINEAGE_GSS_S_FAILURE;                       \
    }
LINEAGE_GSS_UNAVAILABLE(gss_delete_sec_context)
LINEAGE_GSS_UNAVAILABLE(gss_display_status)
LINEAGE_GSS_UNAVAILABLE(gss_import_name)
LINEAGE_GSS_UNAVAILABLE(gss_indicate_mechs)
LINEAGE_GSS_UNAVAILABLE(gss_init_sec_context)
LINEAGE_GSS_UNAVAILABLE(gss_release_buffer)
LINEAGE_GSS_UNAVAILABLE(gss_release_name)
LINEAGE_GSS_UNAVAILABLE(gss_release_oid_set)

int lineage_git_local_only_linked(void) {
    return 1;
}
