"""A local stand-in of Twilio's Messages REST API, for tests and the phone simulator.

    python -m standin --port 5055

POST /2010-04-01/Accounts/{AccountSid}/Messages.json   Twilio-shaped JSON, status "queued"
GET  /2010-04-01/Accounts/{AccountSid}/Messages.json?To=…&From=…&PageSize=N   newest first
GET  /2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json   one message, its current status
GET  /_standin/messages?to=…&since=N                   what was "sent", oldest first
POST /_standin/fail  count=N mode=500|429|timeout|hold|400 [delay=s] [code=…] [match=any|template|whatsapp|sms]
     (timeout: answers 504 after `delay` without keeping the message; hold: keeps it, answers late)
POST /_standin/messages/{sid}/status  status=… [error_code=…]   posts a signed status callback
POST /_standin/reset
"""

from standin.app import StandinServer, create_app

__all__ = ["StandinServer", "create_app"]
