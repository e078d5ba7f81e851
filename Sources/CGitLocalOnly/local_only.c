/*
 * lineage links libgit2 statically (Package.swift) and uses it for a local object store only: it never
 * fetches, pushes or clones through libgit2. Loading Debian's shared libgit2 cost every command about
 * 4 ms before main(): the dynamic linker mapped and bound 15 libraries for network transports lineage
 * never uses (Kerberos, SSH, two TLS stacks). Linked statically, only what libgit2 references comes
 * along, and the definitions below replace libgit2's TLS, SSH and Kerberos parts, as a libgit2 built
 * with USE_HTTPS=OFF and USE_SSH=OFF would: the linker redirects libgit2's calls to the __wrap_ ones
 * (--wrap=NAME sends calls of NAME to __wrap_NAME), and the others stand in for whole files.
 */
#include "CGitLocalOnly.h"
#include <git2/errors.h>

/*
 * git_libgit2_init() sets up mbedTLS for HTTPS: it gathers entropy (HAVEGE) and parses the whole system
 * CA bundle (/etc/ssl/certs/ca-certificates.crt, ~140 certificates), about 4 ms of every command. Here
 * it sets up nothing, and every TLS connection libgit2 were asked to make fails with an error instead:
 * it fails closed and never trusts more.
 */
int __wrap_git_mbedtls_stream_global_init(void) {
    return 0;
}

static int lineage_no_tls(void) {
    git_error_set_str(GIT_ERROR_SSL, "lineage's libgit2 makes no TLS connections");
    return -1;
}

struct git_stream;

int __wrap_git_mbedtls_stream_new(struct git_stream **out, const char *host, const char *port) {
    (void)out, (void)host, (void)port;
    return lineage_no_tls();
}

int __wrap_git_mbedtls_stream_wrap(struct git_stream **out, struct git_stream *in, const char *host) {
    (void)out, (void)in, (void)host;
    return lineage_no_tls();
}

int __wrap_git_mbedtls__set_cert_location(const char *file, const char *path) {
    (void)file, (void)path;
    return lineage_no_tls();
}

/*
 * libgit2's SSH transport (libssh2, and through it OpenSSL's libcrypto) is left out: with it came
 * ~16,600 pointers that the dynamic loader relocated at every start (OpenSSL's method and object
 * tables), a sixth of the executable's relocations. These two replace libgit2's SSH transport file
 * (transports/ssh.c), so the linker never takes it from libgit2.a: git_libgit2_init() has no SSH to
 * set up, and an ssh:// or scp-style remote fails with an error, as in a libgit2 built with
 * USE_SSH=OFF.
 */
struct git_smart_subtransport;
struct git_transport;

int git_transport_ssh_global_init(void) {
    return 0;
}

int git_smart_subtransport_ssh(struct git_smart_subtransport **out, struct git_transport *owner, void *param) {
    (void)out, (void)owner, (void)param;
    git_error_set_str(GIT_ERROR_SSH, "lineage's libgit2 makes no SSH connections");
    return -1;
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
