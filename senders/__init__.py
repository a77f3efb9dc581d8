"""Channel providers behind one small protocol (``senders.protocol.Sender``): SMTP, SES, SNS and
a file sink, the email and SMS composition they share, and the rate limit and retry policy the
dispatcher applies around them."""
