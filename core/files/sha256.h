// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QCoreApplication>
#include <QString>

#include <optional>

struct evp_md_ctx_st;

// SHA-256 through OpenSSL's EVP (Qt 6.4's QCryptographicHash is several times slower here), fed as
// the bytes flow. result() leaves the state untouched, so a transfer can read the hash of what it
// has so far and keep adding: a resumed transfer hashes its partial file once and continues.
class Sha256 final
{
    Q_DECLARE_TR_FUNCTIONS(Sha256)

public:
    static constexpr qsizetype Size = 32;
    // Files are read in pieces of this size, never whole.
    static constexpr qint64 ChunkSize = 1 << 20;

    Sha256();
    ~Sha256();
    Sha256(const Sha256 &other);
    Sha256 &operator=(const Sha256 &other);
    Sha256(Sha256 &&other) noexcept;
    Sha256 &operator=(Sha256 &&other) noexcept;

    // False only when OpenSSL could not give a context (out of memory); then result() is empty.
    bool isValid() const { return m_ctx != nullptr; }

    void addData(QByteArrayView data);
    // Appends `length` bytes of `path` from `offset` (length < 0: up to its end), reading
    // ChunkSize bytes at a time. Fails, leaving the state as it was, on a read error or when
    // the file ends before offset + length (or before offset).
    bool addFile(const QString &path, qint64 offset, qint64 length, QString *error);
    // The 32-byte digest of everything added so far; adding more afterwards continues.
    QByteArray result() const;
    QString hexResult() const { return toHex(result()); }
    void reset();

    // The hash of the first `length` bytes of `path` (length < 0: all of it), or nullopt with
    // the reason in `error` (a read error, or a file shorter than asked).
    static std::optional<Sha256> ofFile(const QString &path,
                                        qint64 length = -1,
                                        QString *error = nullptr);
    static QByteArray hash(QByteArrayView data);
    static QString toHex(const QByteArray &digest);

private:
    evp_md_ctx_st *m_ctx = nullptr;
};
