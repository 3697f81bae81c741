#pragma once

// The one way storage/ sets up and tears down a named SQLite connection: MessageStore's reader,
// each StoreWriter and the integrity check each have their own. Internal to storage/.

#include <QSqlDatabase>
#include <QString>

namespace SqliteConnection {

// SharedMemory: `file` is a URI, "file:<name>?mode=memory&cache=shared" (a throwaway history
// in memory that the store's connections share).
enum class Mode { ReadWrite, ReadOnly, SharedMemory };

// Added and configured, not yet opened: the caller opens it and says what failed its own way.
// Busy timeout: the writers share the file, and a short wait beats an SQLITE_BUSY error.
inline QSqlDatabase add(const QString &name, const QString &file, Mode mode = Mode::ReadWrite)
{
    using namespace Qt::StringLiterals;
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
