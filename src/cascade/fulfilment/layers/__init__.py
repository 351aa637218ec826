"""What the three ordering layers share: the registry of COM, SOM and ROM, the controller
skeleton, the child orders port, reporting up, order documents, catalog look-ups, inventory
records, start dates and manual steps."""
