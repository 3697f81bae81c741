// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

// An OpenSSL object owned by a std::unique_ptr that frees it with the library's own function:
// OpenSslPtr<BIO, BIO_free_all>. Included only by the .cpp files that use OpenSSL.
template<typename T, void (*Free)(T *)>
struct OpenSslDeleter
{
    void operator()(T *p) const { Free(p); }
};

template<typename T, void (*Free)(T *)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;
