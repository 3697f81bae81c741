// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The one way storage/ sets up and tears down a named SQLite connection: MessageStore's reader,
// each StoreWriter and the integrity check each have their own. Internal to storage/.

#include <QSqlDatabase>
#include <QString>

#include <sqlite3.h>

namespace SqliteConnection {

// Once, before SQLite's first use in the process (later it has no effect): no global memory
// statistics, which take one process-wide mutex on every allocation SQLite makes, contended
// between the writer threads and the reader (a fifth of a writer's time in a flood).
inline void configureLibrary()
{
    static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Q_UNUSED(rc) // SQLITE_MISUSE when something in the process opened a database first
}

// SharedMemory: `file` is a URI, "file:<name>?mode=memory&cache=shared" (a throwaway history
// in memory that the store's connections share).
enum class Mode { ReadWrite, ReadOnly, SharedMemory };

// Added and configured, not yet opened: the caller opens it and says what failed its own way.
// Busy timeout: the writers share the file, and a short wait beats an SQLITE_BUSY error.
inline QSqlDatabase add(const QString &name, const QString &file, Mode mode = Mode::ReadWrite)
{
    using namespace Qt::StringLiterals;
    configureLibrary();
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
    db.setDatabaseName(file);
    switch (mode) {
    case Mode::ReadWrite:
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        break;
    case Mode::ReadOnly:
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s);
        break;
    case Mode::SharedMemory:
        db.setConnectOptions(u"QSQLITE_OPEN_URI"_s);
        break;
    }
    return db;
}

// Closes db and drops the connection `name` (db must be the last handle on it).
inline void remove(QSqlDatabase &db, const QString &name)
{
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

} // namespace SqliteConnection
