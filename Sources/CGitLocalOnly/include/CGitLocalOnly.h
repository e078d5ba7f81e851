#ifndef LINEAGE_CGITLOCALONLY_H
#define LINEAGE_CGITLOCALONLY_H
/* Nothing to call: this module only defines the symbols documented in local_only.c. */
int lineage_git_local_only_linked(void);
#endif
