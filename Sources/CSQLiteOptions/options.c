#include "CSQLiteOptions.h"
#include <stdint.h>

struct keep_wal {
    int max_frames;
    int busy_timeout_ms;
};

void lineage_sqlite_truncate_wal(sqlite3 *db, int busy_timeout_ms) {
    /* TRUNCATE waits for readers through the busy handler: not here, a later attempt tries again. */
    sqlite3_busy_timeout(db, 0);
    sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, 0, 0);
    sqlite3_busy_timeout(db, busy_timeout_ms);
}

static int checkpoint_when_long(void *context, sqlite3 *db, const char *schema, int frames) {
    const struct keep_wal *settings = context;
    (void)schema;
    if (frames >= settings->max_frames) lineage_sqlite_truncate_wal(db, settings->busy_timeout_ms);
    return SQLITE_OK;
}

int lineage_sqlite_keep_wal(sqlite3 *db, int max_frames, int busy_timeout_ms) {
    /* One setting per process is enough: every connection lineage opens uses the same values. */
    static struct keep_wal settings;
    settings.max_frames = max_frames;
    settings.busy_timeout_ms = busy_timeout_ms;
    int persist = 1;
    int result = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    if (result != SQLITE_OK) return result;
    result = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
    if (result != SQLITE_OK) return result;
    sqlite3_wal_hook(db, checkpoint_when_long, &settings);
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

int lineage_sqlite_enable_uri(void) {
    return sqlite3_config(SQLITE_CONFIG_URI, 1);
}
