# SPDX-License-Identifier: GPL-3.0-or-later
# Where `cmake --install` puts things (GNUInstallDirs), and the .deb CPack builds from them.
include(GNUInstallDirs)

set(SHOAL_APP_ID io.github.shoal.Shoal)
set(res ${PROJECT_SOURCE_DIR}/resources)

# Man pages compressed with no timestamp, as Debian wants them (and man reads them).
function(shoal_install_man page)
    execute_process(COMMAND gzip -9nc ${res}/man/${page}
                    OUTPUT_FILE ${PROJECT_BINARY_DIR}/${page}.gz)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${res}/man/${page})
    install(FILES ${PROJECT_BINARY_DIR}/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()
shoal_install_man(shoal-cli.1)
configure_file(${res}/shoal-cli.service ${PROJECT_BINARY_DIR}/shoal-cli.service @ONLY)
# lib/systemd/user, not ${CMAKE_INSTALL_LIBDIR} (that is lib/<multiarch> on Debian): systemd
# looks in /usr/lib/systemd/user.
install(FILES ${PROJECT_BINARY_DIR}/shoal-cli.service DESTINATION lib/systemd/user)
# Debian's places for the licence and the changelog (lintian wants both, the changelog
# compressed with no timestamp); the licence text itself is /usr/share/common-licenses/GPL-3.
set(docdir ${CMAKE_INSTALL_DATAROOTDIR}/doc/shoal)
install(FILES ${res}/debian/copyright DESTINATION ${docdir})
execute_process(COMMAND gzip -9nc ${res}/debian/changelog
                OUTPUT_FILE ${PROJECT_BINARY_DIR}/changelog.gz)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${res}/debian/changelog)
install(FILES ${PROJECT_BINARY_DIR}/changelog.gz DESTINATION ${docdir})

if(SHOAL_GUI)
    shoal_install_man(shoal.1)
    install(FILES ${res}/${SHOAL_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${res}/${SHOAL_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES ${res}/icons/${SHOAL_APP_ID}.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    foreach(size 16 22 24 32 48 64 128 256)
        install(FILES ${res}/icons/hicolor/${size}x${size}/${SHOAL_APP_ID}.png
                DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
    endforeach()
endif()

# The .deb: scripts/package.sh builds it and runs lintian.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME shoal)
set(CPACK_PACKAGE_VENDOR "The Shoal developers")
set(CPACK_PACKAGE_CONTACT "The Shoal developers <shoal@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "serverless chat on the local network")
# Lines of at most 80 characters (lintian).
set(CPACK_PACKAGE_DESCRIPTION
    "Shoal is a chat for people on the same network, without a server or an
account. Peers on the LAN appear by themselves; every Shoal connects directly
to the others over mutual TLS 1.3 and knows a peer by its key fingerprint.
Messages to a peer who is offline wait until they return. The package has the
desktop window (shoal) and a headless peer driven by JSON lines (shoal-cli)
with a systemd user unit.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/shoal/shoal")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps finds the libraries the binaries link; Qt loads its SQLite driver and its
# window-system plugins (xcb, wayland; libqt6gui6 only recommends them) as plugins, which no
# binary links, so they are named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins")
include(CPack)
