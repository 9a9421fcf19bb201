# cmake --install: headers, libraries, CLIs, find_package(timemory) and timemory.pc.
include(CMakePackageConfigHelpers)

install(DIRECTORY runtime/include/timemory DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/timemory/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/timemory)
install(TARGETS timemory-rt EXPORT timemoryTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Opened by the runtime from its own folder when a name filter is set.
install(TARGETS timemory-regex LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT timemoryTargets NAMESPACE timemory::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/timemory)

configure_package_config_file(cmake/timemoryConfig.cmake.in
    ${PROJECT_BINARY_DIR}/timemoryConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/timemory)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/timemoryConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/timemoryConfig.cmake
              ${PROJECT_BINARY_DIR}/timemoryConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/timemory)

# Relative to the .pc file, so the package works from any --prefix.
file(RELATIVE_PATH TIMEMORY_PC_RELATIVE_PREFIX "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig"
     "${CMAKE_INSTALL_PREFIX}")
configure_file(cmake/timemory.pc.in ${PROJECT_BINARY_DIR}/timemory.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/timemory.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
