# The MQTT integration tests use mosquitto_pub/mosquitto_sub as independent
# clients, and paho.mqtt.c's synchronous MQTTClient for the MQTT 5 requester.
find_library(PAHO_MQTT3C_TEST paho-mqtt3c REQUIRED)
target_link_libraries(integration_mqtt PRIVATE ${PAHO_MQTT3C_TEST} Boost::json)
add_dependencies(integration_mqtt sluice-plugin-mqtt sluice-plugin-file sluice-plugin-generate
                 sluice-plugin-null)
