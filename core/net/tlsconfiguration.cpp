// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsconfiguration.h"

#include "identity/identity.h"

#include <QSslSocket>

namespace Tls {

QSslConfiguration configuration()
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_3OrLater);
    config.setPeerVerifyMode(QSslSocket::QueryPeer);
    config.setCaCertificates({});
    return config;
}

QSslConfiguration configuration(const Identity &identity)
{
    QSslConfiguration config = configuration();
    config.setLocalCertificate(identity.certificate());
    config.setPrivateKey(identity.privateKey());
    return config;
}

} // namespace Tls
