"""Where the payment gateway's outcome arrives: the payer's return page and the gateway's
server-to-server notification (endpoints ``payments.*``)."""
