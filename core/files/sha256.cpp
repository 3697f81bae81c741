// SPDX-License-Identifier: GPL-3.0-or-later
#include "sha256.h"

#include <QFile>

#include <openssl/evp.h>

#include <utility>

namespace {

EVP_MD_CTX *newContext()
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

} // namespace

Sha256::Sha256()
    : m_ctx(newContext())
{}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_ctx);
}

Sha256::Sha256(const Sha256 &other)
{
    if (!other.m_ctx)
        return;
    m_ctx = EVP_MD_CTX_new();
    if (m_ctx && EVP_MD_CTX_copy_ex(m_ctx, other.m_ctx) != 1) {
        EVP_MD_CTX_free(m_ctx);
        m_ctx = nullptr;
    }
}

Sha256 &Sha256::operator=(const Sha256 &other)
{
    if (this != &other) {
        Sha256 copy(other);
        std::swap(m_ctx, copy.m_ctx);
    }
    return *this;
}

Sha256::Sha256(Sha256 &&other) noexcept
    : m_ctx(std::exchange(other.m_ctx, nullptr))
{}

Sha256 &Sha256::operator=(Sha256 &&other) noexcept
{
    std::swap(m_ctx, other.m_ctx);
    return *this;
}

void Sha256::addData(QByteArrayView data)
{
    if (m_ctx && !data.isEmpty())
        EVP_DigestUpdate(m_ctx, data.data(), size_t(data.size()));
}

bool Sha256::addFile(const QString &path, qint64 offset, qint64 length, QString *error)
{
    auto fail = [error](const QString &reason) {
        if (error)
            *error = reason;
        return false;
    };
    if (!m_ctx)
        return fail(tr("Cannot compute a SHA-256 checksum: out of memory."));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Cannot read %1: %2").arg(path, file.errorString()));
    if (offset != 0 && !file.seek(offset))
        return fail(tr("Cannot read %1: %2").arg(path, file.errorString()));
    auto shorter = [&](qint64 endsAt, qint64 needed) {
        return fail(tr("%1 is shorter than expected: it ends after %2 bytes, %3 were needed. "
                       "It may have been changed or truncated since.")
                        .arg(path, QString::number(endsAt), QString::number(needed)));
    };
    // Continuing from past the end: whatever was meant to come before is not there.
    if (offset > file.size())
        return shorter(file.size(), length < 0 ? offset : offset + length);
    // Into a copy, so that a failure halfway leaves this state as it was.
    Sha256 work(*this);
    if (!work.m_ctx)
        return fail(tr("Cannot compute a SHA-256 checksum: out of memory."));
    // One buffer, reused: memory stays at ChunkSize whatever the file's size.
    QByteArray buffer(qsizetype(ChunkSize), Qt::Uninitialized);
    qint64 done = 0;
    while (length < 0 || done < length) {
        const qint64 want = length < 0 ? ChunkSize : qMin(ChunkSize, length - done);
        const qint64 got = file.read(buffer.data(), want);
        if (got < 0)
            return fail(tr("Cannot read %1: %2").arg(path, file.errorString()));
        if (got == 0) {
            if (length < 0)
                break;
            return shorter(offset + done, offset + length);
        }
        EVP_DigestUpdate(work.m_ctx, buffer.constData(), size_t(got));
        done += got;
    }
    std::swap(m_ctx, work.m_ctx);
    return true;
}

QByteArray Sha256::result() const
{
    if (!m_ctx)
        return {};
    // Finish a copy, so that this one can go on.
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    QByteArray digest(Size, Qt::Uninitialized);
    unsigned int size = 0;
    const bool ok
        = copy && EVP_MD_CTX_copy_ex(copy, m_ctx) == 1
          && EVP_DigestFinal_ex(copy, reinterpret_cast<unsigned char *>(digest.data()), &size) == 1
          && size == Size;
    EVP_MD_CTX_free(copy);
    return ok ? digest : QByteArray();
}

void Sha256::reset()
{
    if (!m_ctx || EVP_DigestInit_ex(m_ctx, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(m_ctx);
        m_ctx = newContext();
    }
}

std::optional<Sha256> Sha256::ofFile(const QString &path, qint64 length, QString *error)
{
    Sha256 sha;
    if (!sha.addFile(path, 0, length, error))
        return std::nullopt;
    return sha;
}

QByteArray Sha256::hash(QByteArrayView data)
{
    Sha256 sha;
    sha.addData(data);
    return sha.result();
}

QString Sha256::toHex(const QByteArray &digest)
{
    return QString::fromLatin1(digest.toHex());
}
