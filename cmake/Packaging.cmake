# Install rules for what is not a build target (config, systemd units, docs) and the CPack DEB
# package. Included last from the top-level CMakeLists.txt, after every install(TARGETS).
#
#   cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build-deb -j && (cd build-deb && cpack -G DEB)
#
# The binary has its plugin directory compiled in from CMAKE_INSTALL_PREFIX, so the package
# installs under that same prefix: build a Debian package with CMAKE_INSTALL_PREFIX=/usr.

# The INI lands in <sysconfdir>/onyx-background: /etc for the /usr prefix (GNUInstallDirs),
# which is the daemon's default config path (ONYX_DEFAULT_CONFIG).
set(ONYX_CONFIG_INSTALL_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/onyx-background")
set(ONYX_PLUGIN_FULL_DIR "${CMAKE_INSTALL_FULL_LIBDIR}/onyx-background/plugins")
# systemd's search path includes <prefix>/lib/systemd/system for /usr and /usr/local; this is
# not LIBDIR, which is multiarch (lib/x86_64-linux-gnu) on Debian.
set(ONYX_UNIT_INSTALL_DIR "lib/systemd/system")

# The INI's folder is decided when installing, from the prefix then in force, so that
# `cmake --install build --prefix X` puts it under X: <prefix>/etc, except /etc for /usr
# (GNUInstallDirs' rule, kept by hand because CMAKE_INSTALL_FULL_SYSCONFDIR is fixed at
# configure time). The destination is written absolute ("/" + the folder without its leading
# "/") so that it is not put under the prefix a second time; DESTDIR still applies.
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(ONYX_INSTALL_ETC_DIR "etc")
  else()
    string(REGEX REPLACE "^/+" "" ONYX_INSTALL_ETC_DIR "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
]])
install(FILES ${PROJECT_SOURCE_DIR}/conf/onyx-background.ini
  DESTINATION "/\${ONYX_INSTALL_ETC_DIR}/onyx-background")
# Plugins go here (the examples are installed by plugins/CMakeLists.txt); keep it even empty.
install(DIRECTORY DESTINATION ${ONYX_PLUGIN_INSTALL_DIR})

# The units in systemd/ name /usr paths; a build with another prefix installs them rewritten.
set(ONYX_UNITS onyx-background-worker@.service onyx-background-watcher.service)
foreach(unit IN LISTS ONYX_UNITS)
  set(source ${PROJECT_SOURCE_DIR}/systemd/${unit})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  file(READ ${source} text)
  string(REPLACE "/usr/bin/onyx-background" "${CMAKE_INSTALL_FULL_BINDIR}/onyx-background" text "${text}")
  string(REPLACE "/usr/share/doc/onyx-background" "${CMAKE_INSTALL_FULL_DOCDIR}" text "${text}")
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/systemd/${unit} CONTENT "${text}" @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/systemd/${unit} DESTINATION ${ONYX_UNIT_INSTALL_DIR})
endforeach()

file(GLOB ONYX_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${ONYX_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/examples DESTINATION ${CMAKE_INSTALL_DOCDIR})

# --- CPack: one Debian package with the daemon, plugins, config, units, SDK and docs. ---
set(ONYX_PACKAGE_MAINTAINER "onyx-background maintainers <onyx-background@localhost>"
  CACHE STRING "Maintainer field of the .deb (Name <email>)")
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "Packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; "
                 "a Debian package should be built with -DCMAKE_INSTALL_PREFIX=/usr")
endif()

# Maintainer scripts and conffiles, with this build's paths filled in.
set(ONYX_DEB_CONTROL_DIR ${PROJECT_BINARY_DIR}/packaging/debian)
foreach(script postinst prerm postrm)
  configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/${script}.in ${ONYX_DEB_CONTROL_DIR}/${script}
    @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
    WORLD_READ WORLD_EXECUTE)
endforeach()
# dpkg keeps an operator's edits of a conffile across upgrades (and asks on conflicts).
file(CONFIGURE OUTPUT ${ONYX_DEB_CONTROL_DIR}/conffiles
  CONTENT "${ONYX_CONFIG_INSTALL_DIR}/onyx-background.ini\n")

set(CPACK_PACKAGE_NAME onyx-background)
set(CPACK_PACKAGE_VENDOR "onyx-background")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ONYX_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "crash-safe background-job daemon for the Onyx::Background Redis protocol")
set(CPACK_PACKAGE_DESCRIPTION
  "onyx-background runs jobs enqueued in Redis by Onyx::Background producers (Crystal) or any\n\
client speaking the same protocol. Job classes are C++ plugins (.so) loaded from a directory\n\
and reloaded on SIGHUP; workers and watchers run as systemd services (Type=notify, watchdog).\n\
Includes the plugin SDK headers and the CMake package for building plugins.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ONYX_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies computed by dpkg-shlibdeps; adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${ONYX_DEB_CONTROL_DIR}/postinst ${ONYX_DEB_CONTROL_DIR}/prerm ${ONYX_DEB_CONTROL_DIR}/postrm
  ${ONYX_DEB_CONTROL_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
include(CPack)

# --- ctest: build the .deb, unpack it into a scratch root and check it (tests/packaging). ---
if(BUILD_TESTING)
  if(SYSTEMD_FOUND)
    set(ONYX_CHECK_HAVE_SYSTEMD 1)
  else()
    set(ONYX_CHECK_HAVE_SYSTEMD 0)
  endif()
  # The absolute paths the package must hold, for check_deb.sh to source.
  file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/packaging/check_deb.env CONTENT "\
ONYX_VERSION='${PROJECT_VERSION}'
ONYX_HAVE_SYSTEMD='${ONYX_CHECK_HAVE_SYSTEMD}'
ONYX_BINDIR='${CMAKE_INSTALL_FULL_BINDIR}'
ONYX_PLUGIN_DIR='${ONYX_PLUGIN_FULL_DIR}'
ONYX_CONFIG_DIR='${ONYX_CONFIG_INSTALL_DIR}'
ONYX_UNIT_DIR='${CMAKE_INSTALL_PREFIX}/${ONYX_UNIT_INSTALL_DIR}'
ONYX_INCLUDEDIR='${CMAKE_INSTALL_FULL_INCLUDEDIR}'
ONYX_CMAKEDIR='${CMAKE_INSTALL_FULL_LIBDIR}/cmake/OnyxBackground'
ONYX_DOCDIR='${CMAKE_INSTALL_FULL_DOCDIR}'
")
  add_test(NAME packaging_deb
    COMMAND ${PROJECT_SOURCE_DIR}/tests/packaging/check_deb.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(packaging_deb PROPERTIES TIMEOUT 300 LABELS packaging)
endif()

# `cmake --install --prefix X` writes nothing outside X (as a non-root plugin author runs it).
if(BUILD_TESTING)
  add_test(NAME packaging_install_prefix
    COMMAND ${PROJECT_SOURCE_DIR}/tests/packaging/check_install_prefix.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(packaging_install_prefix PROPERTIES TIMEOUT 300 LABELS packaging)
endif()
