"""SOM: TMF641 service orders, their resource orders, activations and TMF638 records."""
