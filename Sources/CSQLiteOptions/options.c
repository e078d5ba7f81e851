#include "CSQLiteOptions.h"
#include <stdint.h>

void lineage_sqlite_truncate_wal(sqlite3 *db, int busy_timeout_ms) {
    /* TRUNCATE waits for readers through the busy handler: not here, a later attempt tries again. */
    sqlite3_busy_timeout(db, 0);
    sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, 0, 0);
    sqlite3_busy_timeout(db, busy_timeout_ms);
}

/* The hook's settings travel in its context pointer itself (frames in the high 32 bits, the busy
   timeout in the low 32): each connection has its own, nothing is shared between the stores (and
   their connections) of one process, and nothing needs freeing. */
static int checkpoint_when_long(void *context, sqlite3 *db, const char *schema, int frames) {
    uint64_t settings = (uint64_t)(uintptr_t)context;
    int max_frames = (int)(settings >> 32), busy_timeout_ms = (int)(settings & 0xFFFFFFFFu);
    (void)schema;
    if (frames >= max_frames) lineage_sqlite_truncate_wal(db, busy_timeout_ms);
    return SQLITE_OK;
}

int lineage_sqlite_keep_wal(sqlite3 *db, int max_frames, int busy_timeout_ms) {
    _Static_assert(sizeof(void *) >= 8, "the hook's settings need a 64-bit pointer");
    uint64_t settings = ((uint64_t)(uint32_t)max_frames << 32) | (uint32_t)busy_timeout_ms;
    int persist = 1;
    int result = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    if (result != SQLITE_OK) return result;
    result = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
    if (result != SQLITE_OK) return result;
    sqlite3_wal_hook(db, checkpoint_when_long, (void *)(uintptr_t)settings);
    return SQLITE_OK;
}

int lineage_sqlite_use_wal(sqlite3 *db) {
    sqlite3_stmt *statement = 0;
    int result = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &statement, 0);
    if (result != SQLITE_OK) return result;
    result = sqlite3_step(statement);
    if (result == SQLITE_ROW) {
        const unsigned char *mode = sqlite3_column_text(statement, 0);
        result = mode && sqlite3_stricmp((const char *)mode, "wal") == 0 ? SQLITE_OK : SQLITE_CANTOPEN;
    }
    sqlite3_finalize(statement);
    return result;
}

/* A process-wide SQLite setting, the same for every connection: it only lets file: URIs (the
   read-only index's `immutable=1`) be opened. Before SQLite's first use it takes effect; later it
   returns SQLITE_MISUSE and URIs stay as enabled by the first call. */
int lineage_sqlite_enable_uri(void) {
    return sqlite3_config(SQLITE_CONFIG_URI, 1);
}
