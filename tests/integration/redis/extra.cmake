# The Redis integration tests check what sluice did with redis-cli, an
# independent client, and start private redis-servers for outage tests.
add_dependencies(integration_redis sluice-plugin-redis sluice-plugin-generate
                 sluice-plugin-file sluice-plugin-null)
