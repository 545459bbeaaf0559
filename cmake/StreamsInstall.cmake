install(EXPORT streamsTargets NAMESPACE streams:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streams)
