namespace OpenRed.IntegrationTests;
