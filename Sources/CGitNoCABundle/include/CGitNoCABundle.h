#ifndef LINEAGE_CGITNOCABUNDLE_H
#define LINEAGE_CGITNOCABUNDLE_H
/* Nothing to call: this module only defines the symbol documented in no_ca_bundle.c. */
int lineage_git_no_ca_bundle_linked(void);
#endif
